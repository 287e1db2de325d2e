import middy from '@middy/core';
import { withObservability } from '../middleware/observability';
import { AwsTaskPorts, closeQuietly, DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../tasks/shared/aws-ports';
import { cutoverSwitchFor } from '../tasks/shared/cutover-switch';
import { writeFenceFor } from '../tasks/shared/write-fence';
import { ExecutionStatusChangeSchema, planOf, runCompensator, type Compensation } from './compensate';

/**
 * The compensator's Lambda (target of the orchestrator's EventBridge rule on ABORTED / FAILED / TIMED_OUT executions):
 * parse the status change, wire what the execution's plan names (its pointer and write fence, the replicator, the
 * source's data plane for the canary topic, the MSK provisioner, the lock table, S3), run. A source that cannot be
 * reached does not stop the pointer going back; what could not be undone fails the invocation (Lambda's async retries
 * deliver it again; every step is idempotent) and is listed in the report.
 */

const PHASE = 'Compensator';
const env = readTaskEnv(
  process.env,
  ['AWS_REGION', 'ARTIFACT_BUCKET', 'MIGRATION_LOCK_TABLE'],
  [...REPLICATOR_ENV, ...DATA_PLANE_ENV],
);
const ports = new AwsTaskPorts(env);

export async function compensatorHandler(event: unknown): Promise<Compensation> {
  const change = ExecutionStatusChangeSchema.parse(event);
  const plan = planOf(change);
  const base = { artifacts: ports.artifacts(), locks: ports.locks(), now: () => new Date() };
  if (!plan) return runCompensator(change, base);
  const source = await ports.sourceDataPlane(plan).catch(() => undefined);
  try {
    const writeFence = await writeFenceFor(plan, () => ports.sourceConnection(plan)).catch(() => undefined);
    return await runCompensator(change, {
      ...base,
      pointer: cutoverSwitchFor(plan, {}, { execution: change.detail.executionArn, step: PHASE }),
      pointerFor: (scoped) =>
        cutoverSwitchFor(scoped, {}, { execution: change.detail.executionArn, step: `${PHASE}:wave` }),
      ...(writeFence ? { writeFence } : {}),
      replicator: ports.replicator(plan.replication.engine),
      lagSignals: ports.lagSignals(),
      ...(source ? { source } : {}),
      provisioner: ports.provisioner(),
    });
  } finally {
    await closeQuietly(source);
  }
}

export const handler = middy(compensatorHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `${(output as Compensation).outcome}: ${(output as Compensation).notes.join(' ')}`,
    }),
  }),
);
