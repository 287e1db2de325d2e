import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { chromium, type BrowserContext } from 'playwright-core';
import {
  ALICE,
  TASK_TOKEN,
  linkSentTo,
  requestCutover,
  ses,
  sfn,
  startHarness,
  type Harness,
} from './approval-harness';

/**
 * The confirmation page in a real headless Chromium (Debian's package, driven by playwright-core), at a phone's
 * size: a person sees the evidence, presses Approve, and the waiting task receives SendTaskSuccess.
 */

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve(__dirname, '../../test-artifacts/approval-page.png');

let h: Harness;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Run .ci/install-chromium (apt-get install chromium); the approval page test needs a real browser.`,
    );
  }
  h = await startHarness();
  userDataDir = mkdtempSync(path.join(tmpdir(), 'approval-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await h?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

beforeEach(() => {
  sfn.reset();
  ses.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

it('shows the evidence on a phone-sized page, and pressing Approve sends the decision to the waiting task', async () => {
  // Prepare
  const { approvalId } = await requestCutover(h);
  const page = await context.newPage();
  // Act: open the link from the e-mail, as the approver would.
  const response = await page.goto(linkSentTo(ALICE), { waitUntil: 'load' });
  // Assess: the evidence a person decides on is on screen, nothing is decided yet.
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe('Cutover approval: orders');
  for (const text of [
    'Catch-up gate (lag)',
    'passed, 5 consecutive healthy checks',
    'Target validation',
    '12 topics, 96 partitions',
    'Compacted partitions close to the MSK Serverless quota',
    'For 60 minutes after the switch',
    'You are deciding as',
  ]) {
    await expect(page.getByText(text, { exact: false }).first().isVisible()).resolves.toBe(true);
  }
  const approve = page.getByRole('button', { name: 'Approve cutover' });
  const reject = page.getByRole('button', { name: 'Reject' });
  await expect(approve.isVisible()).resolves.toBe(true);
  await expect(reject.isVisible()).resolves.toBe(true);
  const width = await page.evaluate('document.documentElement.scrollWidth');
  expect(width).toBeLessThanOrEqual(390); // no sideways scrolling on a phone
  expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // Act: a comment, then Approve.
  await page.fill('#comment', 'Checked the dashboard, go.');
  await Promise.all([page.waitForURL(`**/approvals/${approvalId}`), approve.click()]);

  // Assess
  await expect(page.getByRole('heading', { name: 'Approved' }).isVisible()).resolves.toBe(true);
  await page.screenshot({ path: SCREENSHOT.replace('.png', '-approved.png') });
  const sent = sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input);
  expect(sent).toHaveLength(1);
  expect(sent[0]?.taskToken).toBe(TASK_TOKEN);
  expect(JSON.parse(sent[0]?.output ?? '{}')).toMatchObject({
    approver: ALICE,
    channel: 'EMAIL',
    comment: 'Checked the dashboard, go.',
  });
  expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  await page.close();
}, 60_000);
