import middy from '@middy/core';
import { readTaskEnv } from '../contract/env';
import { withObservability } from '../middleware/observability';
import { awsInvocation, buildAwsDeps, envNamesOf, type AwsPortFactories } from '../runtime/aws';
import { artifacts } from '../runtime/aws-ports/artifacts';
import { clock } from '../runtime/aws-ports/basics';
import { lagSignals } from '../runtime/aws-ports/cloudwatch';
import { source } from '../runtime/aws-ports/clusters';
import { clientSwitches, pointer, writeFence } from '../runtime/aws-ports/cutover';
import { locks } from '../runtime/aws-ports/dynamodb';
import { provisioner } from '../runtime/aws-ports/provisioner';
import { replicator } from '../runtime/aws-ports/replicator';
import { cutoverSwitchFor } from '../tasks/shared/cutover-switch';
import { portsOf } from '../workflow/define-task';
import {
  COMPENSATOR_NEEDS,
  COMPENSATOR_RESERVE_MS,
  ExecutionStatusChangeSchema,
  planOf,
  runCompensator,
  type Compensation,
} from './compensate';

/**
 * The compensator's Lambda (target of the orchestrator's EventBridge rule on ABORTED / FAILED / TIMED_OUT executions):
 * parse the status change, build from the AWS composition root (lambdas/runtime/aws.ts `buildAwsDeps`, as for every
 * task) the ports COMPENSATOR_NEEDS picks for it (the plan's pointer, write fence and client switches, the replicator,
 * the source's data plane for the canary topic, the MSK provisioner, the lock table, S3, the clock), run. A source that cannot be reached does not stop the pointer going back; what
 * could not be undone fails the invocation (Lambda's async retries deliver it again; every step is idempotent) and is
 * listed in the report.
 */

const PHASE = 'Compensator';
/** One factory per port of COMPENSATOR_NEEDS, from the AWS root (lambdas/runtime/aws-ports/); checked at cold start. */
const factories: AwsPortFactories = {
  artifacts,
  locks,
  clock,
  pointer,
  source,
  writeFence,
  clientSwitches,
  replicator,
  lagSignals,
  provisioner,
};
const ports = portsOf({ needs: COMPENSATOR_NEEDS });
if (JSON.stringify(ports) !== JSON.stringify(Object.keys(factories).sort()))
  throw new Error(`The compensator's factories must be exactly its ports (${ports.join(', ')}).`);
/** The variables its ports read (PORT_ENV): a required one missing fails the cold start, naming it. */
const names = envNamesOf(ports);
const env = readTaskEnv(process.env, names.required, names.optional);

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
  const invocation = awsInvocation(
    { fn: PHASE, env, input: plan ? { state: { input: plan } } : {}, executionId: change.detail.executionArn },
    factories,
  );
  try {
    const deps = await buildAwsDeps({ needs: COMPENSATOR_NEEDS }, change, invocation);
    return await runCompensator(change, {
      ...deps,
      ...(deadline ? { deadline } : {}),
      // a stop mid-wave: the pointer of the wave the journal names (lambdas/compensator/compensate.ts)
      ...(plan
        ? {
            pointerFor: (scoped: Parameters<typeof cutoverSwitchFor>[0]) =>
              cutoverSwitchFor(scoped, {}, { execution: change.detail.executionArn, step: `${PHASE}:wave` }),
          }
        : {}),
    });
  } finally {
    await invocation.close();
  }
}

export const handler = middy(compensatorHandler).use(
  withObservability(PHASE, {
    summarize: (output) => ({
      summary: `${(output as Compensation).outcome}: ${(output as Compensation).notes.join(' ')}`,
    }),
  }),
);
