import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalApproval, type LocalApproval } from '../../lambdas/approval/local-approval';
import { runRequestApproval } from '../../lambdas/tasks/request-approval/task';
import { MemoryArtifacts, executionState, hiddenFields } from './approval-harness';

/** The rehearsal's approval: real loopback server, outbox folder, local task callback; no AWS at all. */

let local: LocalApproval;
let workDir: string;
const artifacts = new MemoryArtifacts();

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'approval-local-'));
  local = await startLocalApproval({ artifacts, workDir });
});

afterAll(async () => {
  await local.close();
  rmSync(workDir, { recursive: true, force: true });
});

const request = (token: string) =>
  runRequestApproval(
    {
      taskToken: token,
      executionId: 'arn:aws:states:local:0:execution:migration:rehearsal-1',
      kind: 'CUTOVER',
      state: executionState({ approval: { email: ['alice@example.com'], timeoutMinutes: 30 } }) as never,
    },
    local.services,
  );

it('lets a person approve from the e-mail in the outbox folder, and the waiting task receives the decision', async () => {
  // Prepare
  const { approvalId } = await request('local-token-1');
  const waiting = local.callback.waitFor('local-token-1');
  const text = readFileSync(
    path.join(workDir, 'outbox', readdirSync(path.join(workDir, 'outbox')).find((f) => f.endsWith('.txt')) ?? ''),
    'utf8',
  );
  const link = /^Approve: (\S+)$/m.exec(text)?.[1] ?? '';
  expect(link.startsWith(`${local.url}/approvals/${approvalId}?`)).toBe(true);
  // Act
  const page = await fetch(link);
  const fields = hiddenFields(await page.text());
  const post = await fetch(`${local.url}/approvals/${approvalId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision: 'APPROVE' }).toString(),
  });
  // Assess
  expect(post.status).toBe(200);
  await expect(waiting).resolves.toMatchObject({
    kind: 'SUCCESS',
    output: { approved: true, approver: 'alice@example.com', channel: 'EMAIL' },
  });
  expect(JSON.parse(readFileSync(path.join(workDir, 'approvals.json'), 'utf8'))).toEqual([
    expect.objectContaining({ approvalId, status: 'DECIDED' }),
  ]);
});

it('shows "expired" when the local runner stopped waiting (its timeout fired) before the click', async () => {
  // Prepare
  const { approvalId } = await request('local-token-2');
  local.callback.abandon('local-token-2');
  const link = /^Approve: (\S+)$/m.exec(local.mailer.sent.at(-1)?.text ?? '')?.[1] ?? '';
  const fields = hiddenFields(await (await fetch(link)).text());
  // Act
  const post = await fetch(`${local.url}/approvals/${approvalId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision: 'REJECT' }).toString(),
  });
  // Assess
  expect(post.status).toBe(410);
  expect(await post.text()).toContain('already stopped waiting');
  expect(artifacts.audit().filter((e) => e.reason === 'TASK_TIMED_OUT')).toHaveLength(1);
});
