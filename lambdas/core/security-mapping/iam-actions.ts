import type { AclResourceType } from '../access/acl-binding';

/**
 * Kafka ACL operations and their MSK IAM (`kafka-cluster:*`) counterparts, from the MSK developer guide's table
 * "Semantics of IAM authorization policy actions and resources"
 * (https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html).
 *
 * `primary` is the action the Kafka operation is equivalent to. `implied` are the actions an ALLOW must carry with it:
 * what Kafka implies (READ, WRITE, DELETE and ALTER imply DESCRIBE) and what the MSK table lists as "required
 * actions". A DENY maps to `primary` only: Kafka's DENY READ does not deny DESCRIBE, and neither must ours.
 */

export type IamResourceKind = 'cluster' | 'topic' | 'group' | 'transactional-id';

export interface IamActionMapping {
  /** The ARN kind the actions apply to (a cluster-level CREATE grants CreateTopic on every topic). */
  readonly kind: IamResourceKind;
  readonly primary: readonly string[];
  readonly implied: readonly string[];
}

export type Untranslatable = { readonly untranslatable: string };

const a = (name: string): string => `kafka-cluster:${name}`;

const TOPIC: Record<string, IamActionMapping> = {
  READ: { kind: 'topic', primary: [a('ReadData')], implied: [a('DescribeTopic')] },
  WRITE: { kind: 'topic', primary: [a('WriteData')], implied: [a('DescribeTopic')] },
  CREATE: { kind: 'topic', primary: [a('CreateTopic')], implied: [] },
  DELETE: { kind: 'topic', primary: [a('DeleteTopic')], implied: [a('DescribeTopic')] },
  ALTER: { kind: 'topic', primary: [a('AlterTopic')], implied: [a('DescribeTopic')] },
  DESCRIBE: { kind: 'topic', primary: [a('DescribeTopic')], implied: [] },
  DESCRIBE_CONFIGS: { kind: 'topic', primary: [a('DescribeTopicDynamicConfiguration')], implied: [] },
  ALTER_CONFIGS: {
    kind: 'topic',
    primary: [a('AlterTopicDynamicConfiguration')],
    implied: [a('DescribeTopicDynamicConfiguration')],
  },
};

const GROUP: Record<string, IamActionMapping> = {
  READ: { kind: 'group', primary: [a('AlterGroup')], implied: [a('DescribeGroup')] },
  DESCRIBE: { kind: 'group', primary: [a('DescribeGroup')], implied: [] },
  DELETE: { kind: 'group', primary: [a('DeleteGroup')], implied: [a('DescribeGroup')] },
};

const TRANSACTIONAL_ID: Record<string, IamActionMapping> = {
  DESCRIBE: { kind: 'transactional-id', primary: [a('DescribeTransactionalId')], implied: [] },
  WRITE: { kind: 'transactional-id', primary: [a('AlterTransactionalId')], implied: [a('DescribeTransactionalId')] },
};

const CLUSTER: Record<string, IamActionMapping> = {
  DESCRIBE: { kind: 'cluster', primary: [a('DescribeCluster')], implied: [] },
  ALTER: { kind: 'cluster', primary: [a('AlterCluster')], implied: [a('DescribeCluster')] },
  DESCRIBE_CONFIGS: { kind: 'cluster', primary: [a('DescribeClusterDynamicConfiguration')], implied: [] },
  ALTER_CONFIGS: {
    kind: 'cluster',
    primary: [a('AlterClusterDynamicConfiguration')],
    implied: [a('DescribeClusterDynamicConfiguration')],
  },
  IDEMPOTENT_WRITE: { kind: 'cluster', primary: [a('WriteDataIdempotently')], implied: [] },
  // CREATE on the cluster lets a principal create any topic: the IAM action is on topic ARNs.
  CREATE: { kind: 'topic', primary: [a('CreateTopic')], implied: [] },
};

/** Cluster actions that MSK Serverless does not offer (the table's "Applicable to serverless clusters: No"). */
export const NOT_ON_SERVERLESS: ReadonlySet<string> = new Set([
  a('AlterCluster'),
  a('DescribeClusterDynamicConfiguration'),
  a('AlterClusterDynamicConfiguration'),
]);

export const WRITE_DATA = a('WriteData');
export const WRITE_DATA_IDEMPOTENTLY = a('WriteDataIdempotently');

/** Every action of a kind, for ALL and for super users. */
export function allActionsOf(kind: IamResourceKind): string[] {
  const tables = { topic: TOPIC, group: GROUP, 'transactional-id': TRANSACTIONAL_ID, cluster: CLUSTER };
  const table = tables[kind];
  const actions = Object.values(table)
    .filter((m) => m.kind === kind)
    .flatMap((m) => [...m.primary, ...m.implied]);
  return [...new Set(actions)].sort();
}

/**
 * The IAM actions for one Kafka (resource type, operation). ALL expands to every action of the resource type (on a
 * cluster: the cluster actions plus CreateTopic on every topic; CLUSTER_ACTION, inter-broker only, is dropped).
 */
export function iamActionsFor(resourceType: AclResourceType, operation: string): IamActionMapping[] | Untranslatable {
  const op = operation.toUpperCase();
  switch (resourceType) {
    case 'DELEGATION_TOKEN':
      return {
        untranslatable:
          'MSK IAM access control has no delegation tokens: clients authenticate with their own AWS credentials.',
      };
    case 'USER':
      return { untranslatable: 'ACLs on USER resources (delegation tokens on behalf of others) have no IAM action.' };
    case 'TOPIC':
      return lookup(TOPIC, op, 'topic');
    case 'GROUP':
      return lookup(GROUP, op, 'group');
    case 'TRANSACTIONAL_ID':
      return lookup(TRANSACTIONAL_ID, op, 'transactional-id');
    case 'CLUSTER': {
      if (op === 'CLUSTER_ACTION') {
        return {
          untranslatable: 'CLUSTER_ACTION is for inter-broker requests; the service runs the brokers of an MSK target.',
        };
      }
      if (op === 'ALL') {
        return [
          { kind: 'cluster', primary: allActionsOf('cluster'), implied: [] },
          { kind: 'topic', primary: [a('CreateTopic')], implied: [] },
        ];
      }
      const m = CLUSTER[op];
      return m ? [m] : { untranslatable: `Kafka operation ${op} on CLUSTER has no IAM action.` };
    }
  }
}

function lookup(
  table: Record<string, IamActionMapping>,
  op: string,
  kind: IamResourceKind,
): IamActionMapping[] | Untranslatable {
  if (op === 'ALL') return [{ kind, primary: allActionsOf(kind), implied: [] }];
  const m = table[op];
  return m ? [m] : { untranslatable: `Kafka operation ${op} on ${kind} has no IAM action.` };
}

export function isUntranslatable(x: IamActionMapping[] | Untranslatable): x is Untranslatable {
  return !Array.isArray(x);
}
