import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { AwsTaskPorts, closeQuietly, readTaskEnv } from '../shared/aws-ports';
import { parseTaskInput } from '../shared/execution-state';
import { Input, runInventory, type Output, task } from './task';

/** Inventory: parse, wire the AWS adapters (MSK, kafkajs on the source, CloudWatch, S3), run. */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
const ports = new AwsTaskPorts(
  readTaskEnv(process.env, ['AWS_REGION', 'ARTIFACT_BUCKET'], ['KAFKA_REQUEST_TIMEOUT_MS']),
);

export async function inventoryHandler(event: unknown): Promise<Output> {
  const input = parseTaskInput(PHASE, Input, event);
  // kafkajs whatever KAFKA_CLIENT says: the inventory reads ACLs, quotas and broker configs, which only it implements.
  const kafka = await ports.sourceInventoryReader(input.state.input);
  // The preflight's target: one that exists already (a target the plan creates is checked once ProvisionTarget made it).
  const target = input.state.input.target.create
    ? undefined
    : await ports.targetDataPlane(input.state.input, undefined).catch(async (err: unknown) => {
        await closeQuietly(kafka);
        throw err;
      });
  try {
    return await runInventory(input, {
      kafka,
      ...(target ? { target } : {}),
      msk: ports.msk(),
      metrics: ports.throughput(),
      artifacts: ports.artifacts(),
      now: () => new Date(),
    });
  } finally {
    await closeQuietly(kafka, target);
  }
}

export const handler = middy(inventoryHandler).use(
  withObservability(PHASE, {
    summarize: (output) => {
      const o = output as Output;
      return {
        summary: `Inventory: ${o.counts.topics} topics, ${o.counts.partitions} partitions, ${o.counts.groups} consumer groups${o.complete ? '' : ` (${o.gaps.length} parts not read)`}`,
        figures: {
          topics: o.counts.topics,
          partitions: o.counts.partitions,
          groups: o.counts.groups,
          complete: o.complete,
        },
      };
    },
  }),
);
