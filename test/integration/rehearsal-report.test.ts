import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { sampleRehearsalResult } from '../../rehearsal/report/sample-result';
import { writeRehearsalReport } from '../../rehearsal/report/write-report';

/**
 * The HTML report in a real headless Chromium (Debian's package, driven by playwright-core): it opens from a file
 * with no network, draws the lag chart and the phase timeline, and logs no error. The screenshot is kept in
 * test-artifacts/ for a person to look at.
 */

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve(__dirname, '../../test-artifacts/rehearsal-report.png');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. Run .ci/install-chromium (apt-get install chromium); the report test needs a real browser.`,
    );
  }
  dir = mkdtempSync(path.join(tmpdir(), 'rehearsal-report-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('opens the report from a file and draws the lag chart, the phase timeline and the checklist, with no console error and no request', async () => {
  // Prepare
  const result = sampleRehearsalResult();
  const files = await writeRehearsalReport(result, dir);
  const page = await browser.newPage({ viewport: { width: 1120, height: 900 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });

  // Act
  await page.goto(pathToFileURL(files.html).href, { waitUntil: 'load' });

  // Assess
  expect(await page.title()).toBe(`Rehearsal report: ${result.migrationId}`);
  await expect(page.locator('#verdict').innerText()).resolves.toContain('SUCCEEDED: the migration completed');
  const lagPath = page.locator('svg.lag-chart path.lag-line');
  await expect(lagPath.count()).resolves.toBe(1);
  const lagBox = await lagPath.boundingBox();
  expect(lagBox?.width ?? 0).toBeGreaterThan(400); // drawn across the chart, not collapsed
  await expect(page.locator('svg.lag-chart .cutover-marker').count()).resolves.toBe(1);
  await expect(page.locator('svg.phase-timeline rect.phase-bar').count()).resolves.toBe(result.phases.length);
  const bars = await page
    .locator('svg.phase-timeline rect.phase-bar')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
  expect(bars.every((w) => w > 0)).toBe(true);
  await expect(page.locator('.pill', { hasText: 'Warn' }).count()).resolves.toBe(1);
  await expect(page.getByText('Not run', { exact: true }).isVisible()).resolves.toBe(true);
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1120);
  expect(problems).toEqual([]);
  expect(requests).toEqual([]);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await page.close();
});
