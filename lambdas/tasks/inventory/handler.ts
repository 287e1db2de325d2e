import middy from '@middy/core';
import { withObservability } from '../../middleware/observability';
import { awsTaskHandler } from '../../runtime/aws';
import { artifacts } from '../../runtime/aws-ports/artifacts';
import { clock } from '../../runtime/aws-ports/basics';
import { metrics } from '../../runtime/aws-ports/cloudwatch';
import { source, target } from '../../runtime/aws-ports/clusters';
import { clientBehaviour } from '../../runtime/aws-ports/platformatic-reads';
import { msk } from '../../runtime/aws-ports/msk';
import { connectors } from '../../runtime/aws-ports/connectors';
import { connectClusters, schemaRegistries } from '../../runtime/aws-ports/schema-registries';
import { type Output, task } from './task';

/**
 * Inventory: the AWS root builds the AWS adapters (MSK, the source's data plane, its client-behaviour reads on
 * @platformatic/kafka, MSK Connect, the schema registries, the Kafka Connect clusters' REST APIs, CloudWatch, S3), run.
 */

/** The catalogue's function this handler serves (logs and metrics carry the invoking state's name). */
const PHASE = task.function;
/** Its ports come from the AWS composition root (lambdas/runtime/aws.ts): only those its task needs. */
export const inventoryHandler = awsTaskHandler(task, {
  source,
  target,
  clientBehaviour,
  connectors,
  schemaRegistries,
  connectClusters,
  msk,
  metrics,
  artifacts,
  clock,
}) as (event: unknown) => Promise<Output>;

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
