import type { MigrationPlan, PlanIssue } from './migration-plan';

/**
 * The runtimes that serve the workflow, and the kinds of adapter each registers for the plan fields that name one.
 *
 * The plan's schema (migration-plan.ts) is one contract for both runtimes; whether a runtime can serve what a plan
 * names is decided here. AWS (the deployed stack) registers its adapters in lambdas/tasks/shared/cutover-switch.ts and
 * write-fence.ts, the local rehearsal in lambdas/adapters/local/registry.ts; both registries are typed by these lists,
 * so an adapter cannot be registered for a kind its runtime does not declare, nor a declared kind left without one.
 * ValidateInput refuses a plan naming a kind its runtime lacks (`runtimeIssues`), naming the field, before anything is
 * created: a deployed plan can never name the rehearsal's file pointer.
 *
 * To add a kind: add it to the plan's schema, to the lists of the runtimes that serve it, and an adapter to each of
 * those registries (tsc names the missing one).
 */

export const RUNTIMES = ['AWS', 'LOCAL'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export type SwitchSpec = MigrationPlan['cutover']['switch'];
export type SwitchKind = SwitchSpec['type'];
export type FenceSpec = MigrationPlan['cutover']['fence'];
export type FenceKind = FenceSpec['type'];
export type ClientSwitchSpec = MigrationPlan['cutover']['switches'][number];
export type ClientSwitchKind = ClientSwitchSpec['type'];

/** What each runtime has an adapter for. */
export interface RuntimeKinds {
  /** `cutover.switch.type`: the pointer clients read. */
  readonly switch: readonly SwitchKind[];
  /** `cutover.fence.type`: how producers are held during the drain (POINTER: the pointer alone). */
  readonly fence: readonly FenceKind[];
  /** `cutover.switches[].type`: the applications the orchestrator moves itself. */
  readonly clientSwitch: readonly ClientSwitchKind[];
}

export const RUNTIME_KINDS = {
  AWS: {
    switch: ['SSM_PARAMETER', 'ROUTE53', 'HOOK'],
    fence: ['POINTER', 'KAFKA_ACL', 'IAM_POLICY'],
    clientSwitch: ['LAMBDA_EVENT_SOURCE_MAPPING', 'ECS_SERVICE', 'MSK_CONNECT_CONNECTOR'],
  },
  // The rehearsal's clients follow a pointer file, or are plain Kafka clients restarted by LOCAL_PROCESS (its
  // stand-in for ECS_SERVICE); its sources enforce a KAFKA_ACL fence on their SCRAM listener.
  LOCAL: {
    switch: ['LOCAL_FILE'],
    fence: ['POINTER', 'KAFKA_ACL'],
    clientSwitch: ['LOCAL_PROCESS'],
  },
} as const satisfies Record<Runtime, RuntimeKinds>;

export type SwitchKindOf<R extends Runtime> = (typeof RUNTIME_KINDS)[R]['switch'][number];
export type FenceKindOf<R extends Runtime> = (typeof RUNTIME_KINDS)[R]['fence'][number];
export type ClientSwitchKindOf<R extends Runtime> = (typeof RUNTIME_KINDS)[R]['clientSwitch'][number];

/** A registry of one runtime's client switches (`cutover.switches`): a factory per kind it declares, and no other. */
export type ClientSwitchRegistry<R extends Runtime, Deps, Out> = {
  readonly [K in ClientSwitchKindOf<R>]: (spec: Extract<ClientSwitchSpec, { type: K }>, deps: Deps) => Out;
};

/** A registry of one runtime's cutover switches: a factory per kind it declares, and no other. */
export type SwitchRegistry<R extends Runtime, Deps, Out> = {
  readonly [K in SwitchKindOf<R>]: (spec: Extract<SwitchSpec, { type: K }>, deps: Deps) => Out;
};

/** A registry of one runtime's write fences: a factory per kind it declares but POINTER (the pointer alone, no fence). */
export type FenceRegistry<R extends Runtime, Deps, Out> = {
  readonly [K in Exclude<FenceKindOf<R>, 'POINTER'>]: (spec: Extract<FenceSpec, { type: K }>, deps: Deps) => Out;
};

const RUNTIME_LABELS: Record<Runtime, string> = {
  AWS: 'the deployed workflow (AWS)',
  LOCAL: 'the local rehearsal',
};

/** `A, B or C`. */
const either = (kinds: readonly string[]): string =>
  kinds.length <= 1 ? (kinds[0] ?? 'none') : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;

function servedBy(kind: string, slot: keyof RuntimeKinds): Runtime[] {
  return RUNTIMES.filter((r) => (RUNTIME_KINDS[r][slot] as readonly string[]).includes(kind));
}

const SLOT_LABELS: Record<keyof RuntimeKinds, string> = {
  switch: 'cutover switch',
  fence: 'write fence',
  clientSwitch: 'client switch',
};

/** The issue of a `cutover.<slot>.type` the runtime registers no adapter for, naming the field; undefined when it does. */
export function kindIssue(
  slot: keyof RuntimeKinds,
  kind: string,
  runtime: Runtime,
  path = `cutover.${slot}.type`,
): PlanIssue | undefined {
  const what = SLOT_LABELS[slot];
  const kinds = RUNTIME_KINDS[runtime][slot] as readonly string[];
  if (kinds.includes(kind)) return undefined;
  const others = servedBy(kind, slot).map((r) => RUNTIME_LABELS[r]);
  return {
    path,
    message: `${kind} is a ${what} of ${others.length > 0 ? others.join(' and ') : 'no runtime'}, not of ${RUNTIME_LABELS[runtime]}: expected ${either(kinds)}`,
  };
}

/** What a runtime knows of itself beyond its kinds. */
export interface RuntimeContext {
  /**
   * The Region the deployed orchestrator runs in (ValidateInput's AWS_REGION): it creates, alarms on and deletes MSK
   * Replicators there, and MSK Replicator lives in the target cluster's Region. @default not checked
   */
  readonly region?: string;
}

/**
 * What the runtime cannot serve of a valid plan, by field: a switch or fence kind it registers no adapter for, and
 * MirrorMaker 2 without the MSK Connect settings AWS runs it with (the rehearsal runs its own MirrorMaker 2).
 */
export function runtimeIssues(
  plan: Pick<MigrationPlan, 'cutover' | 'replication'> & {
    readonly target?: Pick<MigrationPlan['target'], 'clusterArn'>;
    readonly waves?: MigrationPlan['waves'];
  },
  runtime: Runtime,
  context: RuntimeContext = {},
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const switchIssue = kindIssue('switch', plan.cutover.switch.type, runtime);
  if (switchIssue) issues.push(switchIssue);
  plan.waves?.forEach((wave, i) => {
    const issue = wave.switch ? kindIssue('switch', wave.switch.type, runtime, `waves.${i}.switch.type`) : undefined;
    if (issue) issues.push(issue);
  });
  const fenceIssue = kindIssue('fence', plan.cutover.fence.type, runtime);
  if (fenceIssue) issues.push(fenceIssue);
  plan.cutover.switches.forEach((sw, i) => {
    const issue = kindIssue('clientSwitch', sw.type, runtime, `cutover.switches.${i}.type`);
    if (issue) issues.push(issue);
  });
  if (runtime === 'AWS' && plan.replication.engine === 'MIRROR_MAKER_2' && !plan.replication.mskConnect)
    issues.push({
      path: 'replication.mskConnect',
      message:
        'required for MIRROR_MAKER_2 in AWS (it runs as MSK Connect connectors): {customPluginArn, customPluginRevision, vpc}; only the local rehearsal runs it without',
    });
  const targetRegion = plan.target?.clusterArn?.split(':')[3];
  if (
    runtime === 'AWS' &&
    context.region &&
    plan.replication.engine === 'MSK_REPLICATOR' &&
    targetRegion &&
    targetRegion !== context.region
  )
    // The MSK Replicator adapter refuses it before CreateReplicator: refuse it here, before anything is created.
    issues.push({
      path: 'target.clusterArn',
      message: `MSK Replicator is created in the target cluster's Region (${targetRegion}), and this orchestrator runs in ${context.region}: deploy it in ${targetRegion} to replicate into that cluster, or give a target in ${context.region}`,
    });
  return issues;
}

/** `aws` / `local` as the CLI takes it. */
export function parseRuntime(value: string): Runtime | undefined {
  const upper = value.toUpperCase();
  return (RUNTIMES as readonly string[]).includes(upper) ? (upper as Runtime) : undefined;
}
