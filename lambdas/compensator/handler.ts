import middy from '@middy/core';
import { DATA_PLANE_ENV, readTaskEnv, REPLICATOR_ENV } from '../contract/env';
import { withObservability } from '../middleware/observability';
import type { ArtifactStore } from '../ports/artifact-store';
import type { ClientSwitchFactory } from '../ports/client-switch';
import type { CutoverSwitch } from '../ports/cutover-switch';
import type { KafkaDataPlane } from '../ports/kafka';
import type { LagSignals } from '../ports/lag-signals';
import type { MigrationLocks } from '../ports/migration-locks';
import type { Replicator } from '../ports/replicator';
import type { TargetProvisioner } from '../ports/target-provisioner';
import type { WriteFence } from '../ports/write-fence';
import { awsInvocation } from '../runtime/aws';
import { cutoverSwitchFor } from '../tasks/shared/cutover-switch';
import { artifacts } from '../runtime/aws-ports/artifacts';
import { lagSignals } from '../runtime/aws-ports/cloudwatch';
import { source } from '../runtime/aws-ports/clusters';
import { clientSwitches, pointer, writeFence } from '../runtime/aws-ports/cutover';
import { locks } from '../runtime/aws-ports/dynamodb';
import { provisioner } from '../runtime/aws-ports/provisioner';
import { replicator } from '../runtime/aws-ports/replicator';
import {
  COMPENSATOR_RESERVE_MS,
  ExecutionStatusChangeSchema,
  planOf,
  runCompensator,
  type Compensation,
} from './compensate';

/**
 * The compensator's Lambda (target of the orchestrator's EventBridge rule on ABORTED / FAILED / TIMED_OUT executions):
 * parse the status change, take from the AWS composition root (lambdas/runtime/aws.ts) what the execution's plan names
 * (its pointer, write fence and client switches, the replicator, the source's data plane for the canary topic, the MSK
 * provisioner, the lock table, S3), run. A source that cannot be reached does not stop the pointer going back; what
 * could not be undone fails the invocation (Lambda's async retries deliver it again; every step is idempotent) and is
 * listed in the report.
 */

const PHASE = 'Compensator';
const env = readTaskEnv(
  process.env,
  ['AWS_REGION', 'ARTIFACT_BUCKET', 'MIGRATION_LOCK_TABLE'],
  [...REPLICATOR_ENV, ...DATA_PLANE_ENV],
);
/** What the compensator undoes, each port from the AWS root (lambdas/runtime/aws-ports/). */
const factories = {
  artifacts,
  locks,
  source,
  writeFence,
  pointer,
  clientSwitches,
  replicator,
  lagSignals,
  provisioner,
};

/** What the compensator reads of Lambda's context: how long this invocation has left. */
export interface CompensatorContext {
  getRemainingTimeInMillis(): number;
}

export async function compensatorHandler(event: unknown, context?: CompensatorContext): Promise<Compensation> {
  const change = ExecutionStatusChangeSchema.parse(event);
  // The client switches are stepped until COMPENSATOR_RESERVE_MS before Lambda's deadline; the rest fits in the reserve.
  const deadline = context
    ? new Date(Date.now() + context.getRemainingTimeInMillis() - COMPENSATOR_RESERVE_MS)
    : undefined;
  const plan = planOf(change);
  const ports = awsInvocation(
    { fn: PHASE, env, input: plan ? { state: { input: plan } } : {}, executionId: change.detail.executionArn },
    factories,
  );
  try {
    const base = {
      artifacts: (await ports.build('artifacts')) as ArtifactStore,
      locks: (await ports.build('locks')) as MigrationLocks,
      now: () => new Date(),
    };
    if (!plan) return await runCompensator(change, base);
    const source = (await ports.build('source').catch(() => undefined)) as KafkaDataPlane | undefined;
    const writeFence = (await ports.build('writeFence').catch(() => undefined)) as WriteFence | undefined;
    return await runCompensator(change, {
      ...base,
      ...(deadline ? { deadline } : {}),
      pointer: (await ports.build('pointer')) as CutoverSwitch,
      // a stop mid-wave: the pointer of the wave the journal names (lambdas/compensator/compensate.ts)
      pointerFor: (scoped) =>
        cutoverSwitchFor(scoped, {}, { execution: change.detail.executionArn, step: `${PHASE}:wave` }),
      ...(writeFence ? { writeFence } : {}),
      clientSwitches: (await ports.build('clientSwitches')) as ClientSwitchFactory,
      replicator: (await ports.build('replicator')) as Replicator,
      lagSignals: (await ports.build('lagSignals')) as LagSignals,
      ...(source ? { source } : {}),
      provisioner: (await ports.build('provisioner')) as TargetProvisioner,
    });
  } finally {
    await ports.close();
  }
}

export const handler = middy(compensatorHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `${(output as Compensation).outcome}: ${(output as Compensation).notes.join(' ')}`,
    }),
  }),
);
