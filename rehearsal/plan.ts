import type { MigrationPlanInput } from '../lambdas/core/plan/migration-plan';
import type { KafkaCluster } from './kafka/cluster';
import { DEFAULT_WORKLOAD_TOPICS, consumerGroupOf } from './workload';
import {
  UNAWARE_CONSUMER_APP,
  UNAWARE_GROUP,
  UNAWARE_PRODUCER_APP,
  UNAWARE_TOPIC,
  UNAWARE_USER,
} from './workload/unaware';

/** The approver every rehearsal plan lists; auto-approve decides as this identity (channel LOCAL). */
export const REHEARSAL_APPROVER = 'rehearsal-approver@example.com';

const SOURCE_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/rehearsal-source/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-1';

/**
 * cutover.clientPollIntervalSeconds of the rehearsal's plan: the workload's clients read the pointer file every 100 ms
 * (rehearsal/workload/workload.ts), and the plan declares it. The drain's settle follows it as it does for any
 * POINTER plan (settleSecondsOf: two poll intervals, 0.2 s); no fixed settle of the rehearsal's own.
 */
export const REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS = 0.1;

/** The settle the rehearsal's plan gets by the product's rule (ms precision), for figures printed before it runs. */
export const REHEARSAL_FENCE_SETTLE_SECONDS = 2 * REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS;

/** The base plan, and the sections a scenario may add (the crash scenarios' recovery requirements). */
export type RehearsalPlan = Omit<ReturnType<typeof basePlan>, 'cutover'> & {
  readonly cutover: ReturnType<typeof basePlan>['cutover'] &
    Pick<MigrationPlanInput['cutover'], 'fence' | 'switches' | 'fenceSettleSeconds' | 'singleInvocation'>;
  readonly recovery?: MigrationPlanInput['recovery'];
  /** A plan in waves (rehearsal/scenarios/waves.ts); each wave's pointer is a file beside the plan's. */
  readonly waves?: MigrationPlanInput['waves'];
};

/**
 * The migration plan of a rehearsal: the real schema, local addresses, short gates; then the scenario's changes
 * (`ScenarioDefinition.plan`). ValidateInput validates it like any other plan.
 */
export function rehearsalPlan(args: {
  scenario: { readonly name: string; readonly plan?: (plan: RehearsalPlan) => RehearsalPlan };
  source: Pick<KafkaCluster, 'bootstrap'>;
  target: Pick<KafkaCluster, 'bootstrap'>;
  pointerFile: string;
  rollbackWindowMinutes: number;
  /** The unaware applications' settings on the target, when the run has them (rehearsal/workload/unaware.ts). */
  unaware?: { readonly targetEnvironment: Readonly<Record<string, string>> };
}): RehearsalPlan {
  const base = basePlan(args.scenario.name, args);
  const plan = args.unaware ? withUnawareClients(base, args.unaware.targetEnvironment) : base;
  return args.scenario.plan ? args.scenario.plan(plan) : plan;
}

/**
 * The plan of a run with migration-unaware applications: their topic and group migrated, a KAFKA_ACL fence binding
 * their principal on the source's SCRAM listener (the pointer workload's clients hold on the pointer, as before), and
 * a LOCAL_PROCESS switch per application that restarts it with the target's settings. The consumer is stopped at the
 * fence, so that its group is empty on the source when CommitConsumerOffsets translates its offsets; the producer
 * runs on, refused by the broker, until SwitchToTarget restarts it.
 */
function withUnawareClients(plan: RehearsalPlan, targetEnvironment: Readonly<Record<string, string>>): RehearsalPlan {
  return {
    ...plan,
    replication: {
      ...plan.replication,
      topics: { include: [...plan.replication.topics.include, UNAWARE_TOPIC.name] },
      consumerGroups: { include: [...plan.replication.consumerGroups.include, UNAWARE_GROUP] },
    },
    cutover: {
      ...plan.cutover,
      fence: { type: 'KAFKA_ACL', principals: [`User:${UNAWARE_USER}`] },
      // The pointer workload runs beside them and writes as a super user, which no ACL binds: the drain still waits
      // for its clients' notice (a KAFKA_ACL fence alone would settle at once).
      fenceSettleSeconds: REHEARSAL_FENCE_SETTLE_SECONDS,
      switches: [
        {
          type: 'LOCAL_PROCESS',
          name: UNAWARE_PRODUCER_APP,
          role: 'PRODUCERS',
          application: UNAWARE_PRODUCER_APP,
          environment: { ...targetEnvironment },
        },
        {
          type: 'LOCAL_PROCESS',
          name: UNAWARE_CONSUMER_APP,
          role: 'CONSUMERS',
          application: UNAWARE_CONSUMER_APP,
          environment: { ...targetEnvironment },
          stopAtFence: true,
        },
      ],
    },
  };
}

function basePlan(
  scenario: string,
  args: { target: Pick<KafkaCluster, 'bootstrap'>; pointerFile: string; rollbackWindowMinutes: number },
) {
  return {
    migrationId: `rehearsal-${scenario}`.slice(0, 40).replace(/-+$/, ''),
    source: { clusterArn: SOURCE_ARN, auth: { mechanism: 'PLAINTEXT' } },
    target: { type: 'KAFKA', bootstrapServers: [args.target.bootstrap], auth: { mechanism: 'PLAINTEXT' } },
    replication: {
      engine: 'MIRROR_MAKER_2',
      topics: { include: DEFAULT_WORKLOAD_TOPICS.map((t) => t.name.replace(/[.]/g, '\\.')) },
      consumerGroups: { include: DEFAULT_WORKLOAD_TOPICS.map((t) => consumerGroupOf(t.name)) },
      startingPosition: 'EARLIEST',
      canary: true,
    },
    gates: {
      maxLagRecords: 200,
      consecutiveHealthyChecks: 2,
      // The schema's minimum; the rehearsal shortens the Wait states themselves, the evaluations stay real.
      pollIntervalSeconds: 10,
      catchUpTimeoutMinutes: 10,
      canaryTimeoutSeconds: 5,
    },
    approval: {
      email: [REHEARSAL_APPROVER],
      approvers: [REHEARSAL_APPROVER],
      timeoutMinutes: 60,
    },
    cutover: {
      switch: { type: 'LOCAL_FILE', path: args.pointerFile },
      rollbackWindowMinutes: args.rollbackWindowMinutes,
      drainTimeoutMinutes: 2,
      clientPollIntervalSeconds: REHEARSAL_CLIENT_POLL_INTERVAL_SECONDS,
    },
  };
}
