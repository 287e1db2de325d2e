import { SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import 'aws-sdk-client-mock-jest';
import { signLink, slackSignature } from '../../lambdas/core/approval/signing';
import {
  ALICE,
  BOB_INFO_ONLY,
  SIGNING_KEY,
  SLACK_APPROVER,
  SLACK_CHANNEL,
  SLACK_SIGNING_SECRET,
  TASK_TOKEN,
  linkSentTo,
  openConfirmation,
  postForm,
  postSlack,
  requestCutover,
  ses,
  sfn,
  slackPayload,
  startHarness,
  type Harness,
} from './approval-harness';

/**
 * The approval endpoint over real HTTP on loopback: every attack is refused and leaves the task waiting (no
 * SendTask* call, the approval still PENDING, the refusal audited with its reason); the happy paths decide once.
 */

let h: Harness;
let approvalId: string;

const callbacks = (): number =>
  sfn.commandCalls(SendTaskSuccessCommand).length + sfn.commandCalls(SendTaskFailureCommand).length;
const statusOf = async (id = approvalId): Promise<string | undefined> => (await h.store.get(id))?.status;
const refusals = (): Array<Record<string, unknown>> => h.artifacts.audit().filter((e) => e.event === 'REFUSED');
const slackCalls = (method: string): Array<Record<string, unknown>> =>
  h.slack.calls.filter((c) => c.method === method).map((c) => c.params);

async function expectStillWaiting(reason: string): Promise<void> {
  expect(callbacks()).toBe(0);
  expect(await statusOf()).toBe('PENDING');
  expect(refusals().map((e) => e.reason)).toContain(reason);
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  sfn.reset();
  ses.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  h.slack.calls.length = 0;
  h.artifacts.objects.clear();
  h.clock.now = new Date('2026-11-02T10:00:00Z');
  ({ approvalId } = await requestCutover(h));
});

describe('requesting an approval', () => {
  it('sends each recipient a personal signed link and never puts the task token in a link or a button', async () => {
    // Assess
    const emails = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(emails.map((e) => e.Destination?.ToAddresses)).toEqual([[ALICE], [BOB_INFO_ONLY]]);
    const approve = new URL(linkSentTo(ALICE));
    expect(approve.pathname).toBe(`/approvals/${approvalId}`);
    expect([...approve.searchParams.keys()].sort()).toEqual(['exp', 'intent', 'r', 'sig']);
    const post = slackCalls('chat.postMessage')[0];
    expect(JSON.stringify(emails)).not.toContain(TASK_TOKEN.slice(0, 40));
    expect(JSON.stringify(post)).not.toContain(TASK_TOKEN.slice(0, 40));
    expect(await h.store.get(approvalId)).toMatchObject({
      taskToken: TASK_TOKEN,
      status: 'PENDING',
      approvers: { emails: [ALICE, 'carol@example.com'], slackUserIds: [SLACK_APPROVER] },
    });
  });

  it('posts a Block Kit message with the evidence and Approve / Reject buttons whose value is the approval ID only', async () => {
    // Assess
    const post = slackCalls('chat.postMessage')[0] as {
      channel: string;
      text: string;
      blocks: Array<Record<string, unknown>>;
    };
    expect(post.channel).toBe(SLACK_CHANNEL);
    expect(post.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Cutover approval: orders' } });
    const body = JSON.stringify(post.blocks);
    expect(body).toContain('Catch-up gate (lag)*: passed, 5 consecutive healthy checks, 14 evaluations');
    expect(body).toContain('Target validation (parity, continuity, offsets)*: passed, 12 topics, 96 partitions');
    expect(body).toContain('Compacted partitions close to the MSK Serverless quota');
    expect(body).toContain('*Rollback window*: For 60 minutes after the switch');
    const actions = post.blocks.find((b) => b.type === 'actions') as {
      elements: Array<{ action_id: string; value: string; style: string }>;
    };
    expect(actions.elements.map((e) => [e.action_id, e.value, e.style])).toEqual([
      ['msk_migration_approve', approvalId, 'primary'],
      ['msk_migration_reject', approvalId, 'danger'],
    ]);
    expect(post.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('happy paths', () => {
  it('approves by e-mail: the confirmation page POST sends SendTaskSuccess with approver, channel and comment', async () => {
    // Prepare
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act
    const res = await postForm(page.action, { ...page.fields, decision: 'APPROVE', comment: 'Lag is flat, go.' });
    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Recorded: approved by alice@example.com');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(sent?.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(sent?.output ?? '{}')).toMatchObject({
      approved: true,
      approvalId,
      kind: 'CUTOVER',
      approver: ALICE,
      channel: 'EMAIL',
      comment: 'Lag is flat, go.',
    });
    expect(await statusOf()).toBe('DECIDED');
    const update = slackCalls('chat.update')[0] as { blocks: unknown[] };
    expect(JSON.stringify(update.blocks)).toContain(
      '✅ *Approved* by alice@example.com at 2026-11-02 10:00 UTC via e-mail: “Lag is flat, go.”',
    );
    expect(h.artifacts.audit().find((e) => e.event === 'DECIDED')).toMatchObject({
      actor: ALICE,
      channel: 'EMAIL',
      outcome: 'APPROVE',
      comment: 'Lag is flat, go.',
    });
  });

  it('rejects by Slack: SendTaskFailure Migration.ApprovalRejected, and the message shows who decided', async () => {
    // Act
    const res = await postSlack(h, slackPayload(approvalId, SLACK_APPROVER, 'reject'));
    // Assess
    expect(res.status).toBe(200);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskFailureCommand, 1);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
    const sent = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(sent?.error).toBe('Migration.ApprovalRejected');
    expect(JSON.parse(sent?.cause ?? '{}')).toMatchObject({
      approved: false,
      approver: SLACK_APPROVER,
      channel: 'SLACK',
      approvalId,
    });
    const update = slackCalls('chat.update')[0] as { channel: string; ts: string; blocks: unknown[] };
    expect(update.channel).toBe(SLACK_CHANNEL);
    expect(JSON.stringify(update.blocks)).toContain(`❌ *Rejected* by <@${SLACK_APPROVER}>`);
    expect(JSON.stringify(update.blocks)).not.toContain('msk_migration_approve');
  });
});

describe('attacks: each refused, the task left waiting', () => {
  it('refuses an e-mail link whose signature was forged (GET and POST)', async () => {
    // Prepare
    const forged = new URL(linkSentTo(ALICE));
    forged.searchParams.set('sig', 'A'.repeat(43));
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act
    const get = await fetch(forged);
    const post = await postForm(page.action, { ...page.fields, sig: 'B'.repeat(43), decision: 'APPROVE' });
    // Assess
    expect(get.status).toBe(403);
    expect(await get.text()).toContain('This link is not valid');
    expect(post.status).toBe(403);
    await expectStillWaiting('BAD_SIGNATURE');
  });

  it('refuses a Slack request whose signature was forged', async () => {
    // Act
    const res = await postSlack(h, slackPayload(approvalId, SLACK_APPROVER, 'approve'), {
      signature: `v0=${'0'.repeat(64)}`,
    });
    // Assess
    expect(res.status).toBe(401);
    expect(slackCalls('chat.update')).toHaveLength(0);
    await expectStillWaiting('BAD_SIGNATURE');
    expect(refusals()[0]).toMatchObject({ channel: 'SLACK', actor: SLACK_APPROVER, approvalId });
  });

  it('refuses a correctly signed e-mail link after its expiry', async () => {
    // Prepare: a link that was valid (signed with the real key) but whose expiry has passed.
    const expires = Math.floor(h.clock.now.getTime() / 1000) - 1;
    const link = `${h.server.url}/approvals/${approvalId}?r=${encodeURIComponent(ALICE)}&exp=${expires}&sig=${signLink(SIGNING_KEY, { approvalId, recipient: ALICE, expires })}`;
    // Act
    const get = await fetch(link);
    // Assess
    expect(get.status).toBe(410);
    expect(await get.text()).toContain('This link has expired');
    await expectStillWaiting('LINK_EXPIRED');
  });

  it('refuses a POST from a confirmation page left open past its form token expiry', async () => {
    // Prepare
    const page = await openConfirmation(linkSentTo(ALICE));
    h.clock.now = new Date(h.clock.now.getTime() + 31 * 60_000);
    // Act
    const res = await postForm(page.action, { ...page.fields, decision: 'APPROVE' });
    // Assess
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('This page was open too long');
    await expectStillWaiting('LINK_EXPIRED');
  });

  it('rejects a replayed Slack request older than five minutes', async () => {
    // Prepare: a request Slack really signed, captured and replayed 301 s later.
    const body = slackPayload(approvalId, SLACK_APPROVER, 'approve');
    const signedAt = Math.floor(h.clock.now.getTime() / 1000);
    h.clock.now = new Date(h.clock.now.getTime() + 301_000);
    // Act
    const res = await postSlack(h, body, { timestamp: signedAt });
    // Assess
    expect(res.status).toBe(401);
    await expectStillWaiting('STALE_REQUEST');
  });

  it('refuses a Slack body tampered with after signing (reject turned into approve)', async () => {
    // Prepare
    const signedBody = slackPayload(approvalId, SLACK_APPROVER, 'reject');
    const timestamp = Math.floor(h.clock.now.getTime() / 1000);
    const signature = slackSignature(SLACK_SIGNING_SECRET, String(timestamp), signedBody);
    const tampered = signedBody.replace('msk_migration_reject', 'msk_migration_approve');
    // Act
    const res = await postSlack(h, tampered, { timestamp, signature });
    // Assess
    expect(res.status).toBe(401);
    await expectStillWaiting('BAD_SIGNATURE');
  });

  it('refuses a confirmation form tampered with after signing (recipient swapped for another approver)', async () => {
    // Prepare: Alice's genuine form, edited to decide in the name of Carol (another approver).
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act
    const res = await postForm(page.action, { ...page.fields, r: 'carol@example.com', decision: 'APPROVE' });
    // Assess
    expect(res.status).toBe(403);
    await expectStillWaiting('BAD_SIGNATURE');
  });

  it('takes the first of two racing clicks and refuses the second with who decided and when', async () => {
    // Prepare
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act: a double click sends two POSTs at once.
    const [first, second] = await Promise.all([
      postForm(page.action, { ...page.fields, decision: 'APPROVE' }),
      postForm(page.action, { ...page.fields, decision: 'REJECT' }),
    ]);
    const slackLater = await postSlack(h, slackPayload(approvalId, SLACK_APPROVER, 'reject'));
    // Assess
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(await loser.text()).toMatch(
      /Already decided: (approved|rejected) by alice@example\.com at 2026-11-02 10:00 UTC via e-mail/,
    );
    expect(callbacks()).toBe(1);
    expect(await statusOf()).toBe('DECIDED');
    expect(slackLater.status).toBe(200);
    expect(callbacks()).toBe(1);
    expect(slackCalls('chat.postEphemeral')[0]).toMatchObject({
      channel: SLACK_CHANNEL,
      user: SLACK_APPROVER,
      text: expect.stringContaining('Already decided'),
    });
    expect(refusals().map((e) => e.reason)).toEqual(['ALREADY_DECIDED', 'ALREADY_DECIDED']);
  });

  it('refuses a Slack user who is not on the approver allow-list and tells only them', async () => {
    // Act
    const res = await postSlack(h, slackPayload(approvalId, 'U0INTRUDER', 'approve'));
    // Assess
    expect(res.status).toBe(200);
    expect(slackCalls('chat.postEphemeral')[0]).toMatchObject({
      user: 'U0INTRUDER',
      text: expect.stringContaining('not on the approver list'),
    });
    expect(slackCalls('chat.update')).toHaveLength(0);
    await expectStillWaiting('NOT_AN_APPROVER');
  });

  it('refuses an e-mail recipient who is informed but not an approver', async () => {
    // Prepare
    const link = linkSentTo(BOB_INFO_ONLY);
    const alicePage = await openConfirmation(linkSentTo(ALICE));
    const bobQuery = new URL(link).searchParams;
    // Act: Bob's page shows no form; a form built from his signed link is refused on POST too.
    const page = await fetch(link);
    const forgedForm = await postForm(alicePage.action, {
      ...alicePage.fields,
      r: BOB_INFO_ONLY,
      exp: bobQuery.get('exp') ?? '',
      sig: bobQuery.get('sig') ?? '',
      decision: 'APPROVE',
    });
    // Assess
    expect(page.status).toBe(403);
    expect(await page.text()).not.toContain('<form');
    expect(forgedForm.status).toBe(403);
    await expectStillWaiting('BAD_FORM_TOKEN');
  });

  it('never decides on GET: prefetches, previews and repeated opens leave the approval pending', async () => {
    // Act: a mail scanner, a link preview bot and a HEAD probe follow the link.
    const link = linkSentTo(ALICE);
    const responses = [
      await fetch(link, { headers: { 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' } }),
      await fetch(link, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0' } }),
      await fetch(link.replace('intent=approve', 'intent=reject')),
      await fetch(link, { method: 'HEAD' }),
    ];
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 405]);
    expect(callbacks()).toBe(0);
    expect(await statusOf()).toBe('PENDING');
  });

  it('refuses an unknown approval ID, even with a correctly signed link and from an allowed Slack user', async () => {
    // Prepare
    const unknown = 'Z'.repeat(22);
    const expires = Math.floor(h.clock.now.getTime() / 1000) + 3600;
    const link = `${h.server.url}/approvals/${unknown}?r=${encodeURIComponent(ALICE)}&exp=${expires}&sig=${signLink(SIGNING_KEY, { approvalId: unknown, recipient: ALICE, expires })}`;
    // Act
    const get = await fetch(link);
    const click = await postSlack(h, slackPayload(unknown, SLACK_APPROVER, 'approve'));
    // Assess
    expect(get.status).toBe(404);
    expect(click.status).toBe(200);
    expect(slackCalls('chat.postEphemeral')[0]).toMatchObject({
      text: expect.stringContaining('There is no approval with this ID'),
    });
    await expectStillWaiting('UNKNOWN_APPROVAL');
    expect(h.artifacts.audit().filter((e) => e.reason === 'UNKNOWN_APPROVAL')).toHaveLength(2);
  });

  it('shows "expired" and records it when Step Functions answers TaskTimedOut', async () => {
    // Prepare: the state's TimeoutSeconds passed before our own deadline (clocks differ); Step Functions says so.
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act
    const res = await postForm(page.action, { ...page.fields, decision: 'APPROVE' });
    // Assess
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('This approval has expired');
    expect(await statusOf()).toBe('EXPIRED');
    expect(refusals().map((e) => e.reason)).toEqual(['TASK_TIMED_OUT']);
    expect(JSON.stringify(slackCalls('chat.update')[0]?.blocks)).toContain('⌛ *Expired*');
    const again = await postSlack(h, slackPayload(approvalId, SLACK_APPROVER, 'approve'));
    expect(again.status).toBe(200);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('refuses a decision after the approval deadline without calling Step Functions', async () => {
    // Prepare
    const page = await openConfirmation(linkSentTo(ALICE));
    h.clock.now = new Date(Date.parse('2026-11-02T12:00:00Z'));
    // Act
    const click = await postSlack(h, slackPayload(approvalId, SLACK_APPROVER, 'approve'));
    const form = await postForm(page.action, { ...page.fields, decision: 'APPROVE' });
    // Assess
    expect(click.status).toBe(200);
    expect(form.status).toBe(410);
    await expectStillWaiting('APPROVAL_EXPIRED');
  });

  it('refuses a form with fields the page never sends, and a decision not sent as a form', async () => {
    // Prepare
    const page = await openConfirmation(linkSentTo(ALICE));
    // Act
    const extra = await postForm(page.action, { ...page.fields, decision: 'APPROVE', approver: 'root' });
    const json = await fetch(page.action, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...page.fields, decision: 'APPROVE' }),
    });
    // Assess
    expect(extra.status).toBe(400);
    expect(json.status).toBe(400);
    await expectStillWaiting('MALFORMED_REQUEST');
  });

  it('accepts an approver listed by e-mail deciding from Slack, after looking their address up', async () => {
    // Act
    const res = await postSlack(h, slackPayload(approvalId, 'U0BYEMAIL', 'approve'));
    // Assess
    expect(res.status).toBe(200);
    expect(slackCalls('users.info')[0]).toMatchObject({ user: 'U0BYEMAIL' });
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(h.artifacts.audit().find((e) => e.event === 'DECIDED')).toMatchObject({
      actor: 'U0BYEMAIL',
      actorEmail: 'carol@example.com',
    });
  });
});
