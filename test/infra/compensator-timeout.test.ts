import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { COMPENSATOR_RESERVE_MS } from '../../lambdas/compensator/compensate';
import { MAX_CLIENT_SWITCH_MINUTES } from '../../lambdas/core/plan/migration-plan';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';

/**
 * The compensator returns the client switches a stopped execution moved (cutover.switches), stepped within the plan's
 * cutover.clientSwitchTimeoutMinutes, then puts the pointer back, removes the replication and the target, frees the
 * locks and writes the report. Its Lambda timeout must hold the longest switch time a plan may ask for plus the reserve
 * its handler keeps for the rest (it stops stepping the switches that long before Lambda's deadline, and a retried
 * delivery resumes them: test/workflow/stop-and-compensate.test.ts).
 */
describe('the compensator function', () => {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new MigrationStack(app, 'CompensatorTimeout', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  const template = Template.fromStack(stack);
  const id = Stack.of(stack).getLogicalId(stack.orchestrator.compensator.node.defaultChild as lambda.CfnFunction);
  const timeoutSeconds = (template.toJSON() as { Resources: Record<string, { Properties: { Timeout: number } }> })
    .Resources[id]?.Properties.Timeout;

  it("outlasts the longest client switch a plan may ask for, plus the reserve for the rest, within Lambda's 15 minutes", () => {
    expect(timeoutSeconds).toBeGreaterThanOrEqual(MAX_CLIENT_SWITCH_MINUTES * 60 + COMPENSATOR_RESERVE_MS / 1000);
    expect(timeoutSeconds).toBeLessThanOrEqual(15 * 60);
  });

  it('outlasts RollbackCutover, whose client switches it takes over', () => {
    const rollback = Stack.of(stack).getLogicalId(
      stack.orchestrator.functions.RollbackCutover.node.defaultChild as lambda.CfnFunction,
    );
    const rollbackTimeout = (template.toJSON() as { Resources: Record<string, { Properties: { Timeout: number } }> })
      .Resources[rollback]?.Properties.Timeout;
    expect(timeoutSeconds).toBeGreaterThanOrEqual(rollbackTimeout ?? Infinity);
  });
});
