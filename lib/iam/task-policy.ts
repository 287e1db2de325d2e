import {
  KAFKA_CONNECT,
  KAFKA_OPERATIONS,
  REGION_PLACEHOLDER,
  requirementsOf,
  sdkOperationsOf,
  VPC_ACCESS,
  type AwsAdapterMethod,
  type Conditions,
  type IamRequirement,
  type ResourceKind,
} from './operations';
import { PERMISSIONS, type PermissionSpec, type TaskPermission } from './permissions';

export type Side = 'source' | 'target';

/** What a task's role is generated from. */
export interface TaskPolicyInput {
  readonly may: readonly TaskPermission[];
  /** The function runs in a VPC: Lambda manages its interfaces with this role. */
  readonly inVpc: boolean;
}

/** One requirement with where it applies. */
export interface PlacedRequirement extends IamRequirement {
  readonly side?: Side;
  readonly clusters: 'both' | 'target';
  /** The permission it comes from (docs). */
  readonly permission: TaskPermission | 'vpcAccess';
}

/** The adapter methods a task may call (its permissions' methods). */
export function adapterMethodsOf(may: readonly TaskPermission[]): AwsAdapterMethod[] {
  return [...new Set(may.flatMap((p) => (PERMISSIONS[p] as PermissionSpec).aws ?? []))];
}

/** Every IAM requirement of a task: its adapter methods' operations with their dependent actions, its Kafka operations. */
export function taskRequirements(input: TaskPolicyInput): PlacedRequirement[] {
  const out: PlacedRequirement[] = [];
  for (const permission of input.may) {
    const spec: PermissionSpec = PERMISSIONS[permission];
    const clusters = spec.clusters ?? 'both';
    for (const method of spec.aws ?? [])
      for (const op of sdkOperationsOf(method))
        for (const r of requirementsOf(op)) out.push({ ...r, clusters, permission });
    for (const side of ['source', 'target'] as const) {
      const ops = spec.kafka?.[side] ?? [];
      if (ops.length === 0) continue;
      out.push({ ...KAFKA_CONNECT, side, clusters, permission });
      for (const op of ops) for (const r of KAFKA_OPERATIONS[op]) out.push({ ...r, side, clusters, permission });
    }
  }
  if (input.inVpc) for (const r of VPC_ACCESS) out.push({ ...r, clusters: 'both', permission: 'vpcAccess' });
  return out;
}

/** Resolves a resource kind to ARNs (patterns) for one requirement. */
export type ResourceResolver = (kind: ResourceKind, requirement: PlacedRequirement) => readonly string[];
/**
 * Conditions the construct's props add to a resource kind (the write fence's opt-in tag when no role ARNs are given),
 * merged with the requirement's own.
 */
export type ConditionResolver = (kind: ResourceKind, requirement: PlacedRequirement) => Conditions | undefined;

export interface GeneratedStatement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Conditions;
  /** Why, per action (docs/deploy.md). */
  readonly why: Record<string, string>;
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The statements of a task's role: requirements grouped by resolved resources and conditions, one statement each,
 * actions sorted. Deterministic, so that the template only changes when the declaration does.
 */
export function generateStatements(
  input: TaskPolicyInput,
  resolve: ResourceResolver,
  region: string,
  conditionsOf: ConditionResolver = () => undefined,
): GeneratedStatement[] {
  const groups = new Map<
    string,
    { kind: ResourceKind; resources: string[]; conditions?: Conditions; why: Map<string, string> }
  >();
  for (const r of taskRequirements(input)) {
    const resources = [...new Set(resolve(r.resource, r))];
    const merged = mergeConditions(r.conditions, conditionsOf(r.resource, r));
    const conditions = merged ? withRegion(merged, region) : undefined;
    const key = JSON.stringify([r.resource, resources, conditions]);
    let group = groups.get(key);
    if (!group) {
      group = { kind: r.resource, resources, ...(conditions ? { conditions } : {}), why: new Map() };
      groups.set(key, group);
    }
    if (!group.why.has(r.action)) group.why.set(r.action, r.why);
  }
  const used = new Map<string, number>();
  return [...groups.values()].map((g) => {
    const base = g.kind === '*' ? 'NoResourceType' : pascal(g.kind);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const actions = [...g.why.keys()].sort();
    return {
      sid: n === 1 ? base : `${base}${n}`,
      actions,
      resources: g.resources,
      ...(g.conditions ? { conditions: g.conditions } : {}),
      why: Object.fromEntries(actions.map((a) => [a, g.why.get(a) ?? ''])),
    };
  });
}

function mergeConditions(a: Conditions | undefined, b: Conditions | undefined): Conditions | undefined {
  if (!a || !b) return a ?? b;
  const out: Conditions = { ...a };
  for (const [operator, keys] of Object.entries(b)) out[operator] = { ...(out[operator] ?? {}), ...keys };
  return out;
}

function withRegion(conditions: Conditions, region: string): Conditions {
  return JSON.parse(JSON.stringify(conditions).split(REGION_PLACEHOLDER).join(region)) as Conditions;
}
