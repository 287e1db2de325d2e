import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputInvalidError } from '../../lambdas/core/errors';
import { handler } from '../../lambdas/tasks/validate-input/handler';
import {
  APPROVAL_TIMEOUT_MARGIN_SECONDS,
  runValidateInput,
  settingsFor,
} from '../../lambdas/tasks/validate-input/task';
import { SettingsSchema } from '../../lambdas/tasks/shared/execution-state';

const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders-20261124T120000';
const plan = (): Record<string, unknown> =>
  JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'examples', 'msk-to-serverless-replicator.json'), 'utf8'),
  ) as Record<string, unknown>;
const NOW = new Date('2026-11-24T12:00:05.000Z');

function thrown(fn: () => unknown): InputInvalidError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputInvalidError) return err;
    throw err;
  }
  throw new Error('expected Migration.InputInvalid, nothing was thrown');
}

describe('the ValidateInput task', () => {
  it('replaces the state with the plan and its defaults, the identity and the execution', () => {
    // Act
    const out = runValidateInput(
      {
        plan: plan(),
        executionId: EXECUTION_ARN,
        executionName: 'orders-20261124T120000',
        startedAt: '2026-11-24T12:00:00.000Z',
      },
      () => NOW,
    );

    // Assess
    expect(out.identity).toEqual({ migrationId: 'orders-to-serverless', executionName: 'orders-20261124T120000' });
    expect(out.execution).toEqual({
      id: EXECUTION_ARN,
      name: 'orders-20261124T120000',
      startedAt: '2026-11-24T12:00:00.000Z',
    });
    expect(out.input.cutover.drainTimeoutMinutes).toBe(15);
    expect(out.input.target.auth).toEqual({ mechanism: 'IAM' });
  });

  it('takes the execution name from the last segment of the execution ARN when it is not given', () => {
    const out = runValidateInput({ plan: plan(), executionId: EXECUTION_ARN }, () => NOW);

    expect(out.identity.executionName).toBe('orders-20261124T120000');
    expect(out.execution).toEqual({ id: EXECUTION_ARN, name: 'orders-20261124T120000', startedAt: NOW.toISOString() });
  });

  it('gives the Wait states their seconds, the catch-up poll stretched so that the gate fits its history share', () => {
    const out = runValidateInput({ plan: plan(), executionId: EXECUTION_ARN }, () => NOW);

    expect(SettingsSchema.parse(out.settings)).toEqual(out.settings);
    expect(out.settings.pollIntervalSeconds).toBe(240); // its 720-minute catch-up in at most 180 evaluations, not every 60 s
    expect(out.settings).toEqual(settingsFor(out.input));
    expect(out.settings.healthPollSeconds).toBe(300); // a 240-minute rollback window looked at every 5 minutes
  });

  it('fails with Migration.InputInvalid naming every bad field, in the message and the details', () => {
    const input = plan();
    (input.gates as Record<string, unknown>).pollIntervalSeconds = 5;
    (input.cutover as Record<string, unknown>).rollbackWindowMinute = 30;

    const err = thrown(() => runValidateInput({ plan: input, executionId: EXECUTION_ARN }));

    expect(err.name).toBe('Migration.InputInvalid');
    expect(err.message).toMatch(
      /^The execution input is not a valid migration plan \(2 problems; nothing was created\): /,
    );
    expect(err.message).toContain('gates.pollIntervalSeconds: expected at least 10 seconds');
    expect(err.message).toContain('cutover.rollbackWindowMinute: unknown field "rollbackWindowMinute"');
    expect(err.details?.issues).toEqual([
      { path: 'gates.pollIntervalSeconds', message: expect.any(String) },
      { path: 'cutover.rollbackWindowMinute', message: expect.any(String) },
    ]);
  });

  it('fails with Migration.InputInvalid when the input is not an object at all', () => {
    const err = thrown(() => runValidateInput({ plan: 'orders', executionId: EXECUTION_ARN }));

    expect(err.details?.issues).toEqual([{ path: '(root)', message: 'expected object, received string' }]);
  });

  it('keeps the message bounded for a plan with thousands of problems, and every problem in the details', () => {
    const input = plan();
    (input.replication as Record<string, { include: string[] }>).topics = {
      include: Array.from({ length: 3000 }, (_, i) => `orders-${i}(`),
    };

    const err = thrown(() => runValidateInput({ plan: input, executionId: EXECUTION_ARN }));

    expect(err.message.length).toBeLessThan(17_000);
    expect(err.message).toMatch(/and \d+ more \(msk-migrate validate lists them all\)\.$/);
    expect(err.details?.issues).toHaveLength(3000);
  });

  it('refuses a payload without the execution ARN (a state machine wired wrongly)', () => {
    const err = thrown(() => runValidateInput({ plan: plan() } as never));

    expect(err.message).toMatch(/ValidateInput payload invalid at executionId/);
  });
});

describe('the ValidateInput Lambda handler', () => {
  const context = {
    functionName: 'validate-input',
    awsRequestId: 'req-1',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:validate-input',
    memoryLimitInMB: '256',
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;

  it('returns the task output through middy and the observability middleware', async () => {
    const out = (await handler({ plan: plan(), executionId: EXECUTION_ARN }, context)) as { identity: unknown };
    expect(out.identity).toEqual({ migrationId: 'orders-to-serverless', executionName: 'orders-20261124T120000' });
  });

  it('lets Migration.InputInvalid reach the state machine (its Catch matches the name)', async () => {
    await expect(handler({ plan: {}, executionId: EXECUTION_ARN }, context)).rejects.toMatchObject({
      name: 'Migration.InputInvalid',
    });
  });
});

describe('the plan size cap', () => {
  it('refuses a plan over PLAN_MAX_BYTES with Migration.InputInvalid at (root), naming the size', () => {
    // Prepare
    const raw = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'examples', 'msk-to-serverless-replicator.json'), 'utf8'),
    ) as { approval: { approvers: string[] } };
    raw.approval.approvers = Array.from({ length: 1500 }, (_, i) => `approver-${i}@example.com`);
    // Act
    const run = () =>
      runValidateInput({ plan: raw, executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e' });
    // Assess
    expect(run).toThrow(/\(root\): the plan is [\d,]+ bytes of JSON with its defaults; at most 32,768/);
  });
});

describe('the approval states’ timeout', () => {
  it('comes from the plan: approval.timeoutMinutes plus a 15-minute margin, read by TimeoutSecondsPath', () => {
    // Prepare
    const raw = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'examples', 'msk-to-serverless-replicator.json'), 'utf8'),
    ) as { approval: { timeoutMinutes?: number } };
    raw.approval.timeoutMinutes = 90;
    const asl = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'statemachine', 'migration.asl.json'), 'utf8'),
    ) as { States: Record<string, Record<string, unknown>> };
    // Act
    const out = runValidateInput({ plan: raw, executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e' });
    // Assess
    expect(out.settings.approvalTimeoutSeconds).toBe(90 * 60 + APPROVAL_TIMEOUT_MARGIN_SECONDS);
    expect(APPROVAL_TIMEOUT_MARGIN_SECONDS).toBe(900);
    for (const state of ['CutoverApproval', 'FinalizeApproval', 'FailbackDecision']) {
      expect(asl.States[state]).toMatchObject({ TimeoutSecondsPath: '$.settings.approvalTimeoutSeconds' });
      expect(asl.States[state]).not.toHaveProperty('TimeoutSeconds');
    }
  });
});
