import * as z from 'zod';
import type { Inventory } from '../inventory/model';
import { TargetProfileSchema, type TargetProfile } from '../profiles/profile';
import { CriterionResultSchema, evaluateCriteria } from './criteria';
import { AssessmentOptionsSchema, FindingSchema, SEVERITIES, type AssessmentOptions, type Finding } from './finding';
import { aclLossRule } from './rules/acl-loss';
import { authModeRule } from './rules/auth-mode';
import {
  clientBehaviourGapRule,
  compressionRule,
  groupProtocolRule,
  idempotentProducerRule,
  notVisibleRule,
  recordSizeRule,
  schemaRegistryRule,
} from './rules/client-behaviour';
import { clientQuotaRule } from './rules/client-quotas';
import { connectClusterRule } from './rules/connect-clusters';
import { connectorRule } from './rules/connectors';
import { schemaRegistryInventoryRule } from './rules/schema-registries';
import { compactionRule } from './rules/compaction';
import { cutoverHoldRule } from './rules/cutover-clients';
import { idleGroupRule } from './rules/idle-groups';
import { inventoryGapRule } from './rules/inventory-gaps';
import { messageSizeRule } from './rules/message-size';
import { quotaFitRule } from './rules/quota-fit';
import type { AssessmentRule } from './rules/rule';
import { topicConfigRule } from './rules/topic-configs';
import { topicSelectionRule } from './rules/topic-selection';
import { transactionRule } from './rules/transactions';
import { scopeOf } from './scope';
import { lazySchema } from '../lazy-schema';

/** Every rule, in the order their findings are listed within a severity. */
export const RULES: ReadonlyArray<{ readonly name: string; readonly rule: AssessmentRule }> = [
  { name: 'cutover-hold', rule: cutoverHoldRule },
  { name: 'inventory gaps', rule: inventoryGapRule },
  { name: 'quota fit', rule: quotaFitRule },
  { name: 'compacted partitions', rule: compactionRule },
  { name: 'message size', rule: messageSizeRule },
  { name: 'observed record sizes', rule: recordSizeRule },
  { name: 'compression', rule: compressionRule },
  { name: 'schema registries', rule: schemaRegistryRule },
  { name: 'schema registries read', rule: schemaRegistryInventoryRule },
  { name: 'topic configs', rule: topicConfigRule },
  { name: 'authentication', rule: authModeRule },
  { name: 'ACLs', rule: aclLossRule },
  { name: 'client quotas', rule: clientQuotaRule },
  { name: 'transactions', rule: transactionRule },
  { name: 'idempotent producers', rule: idempotentProducerRule },
  { name: 'consumer group protocols', rule: groupProtocolRule },
  { name: 'connectors', rule: connectorRule },
  { name: 'Kafka Connect clusters', rule: connectClusterRule },
  { name: 'client behaviour gaps', rule: clientBehaviourGapRule },
  { name: 'client settings not visible', rule: notVisibleRule },
  { name: 'consumer groups', rule: idleGroupRule },
  { name: 'topic selection', rule: topicSelectionRule },
];

export const ASSESSMENT_SCHEMA_VERSION = 1;

export const AssessmentSchema = lazySchema(() =>
  z.object({
    schemaVersion: z.literal(ASSESSMENT_SCHEMA_VERSION),
    assessedAt: z.string(),
    inventoryCollectedAt: z.string(),
    profile: TargetProfileSchema,
    options: AssessmentOptionsSchema,
    /** BLOCKERs first, then WARNINGs, then INFOs. */
    findings: z.array(FindingSchema),
    counts: z.object({ BLOCKER: z.number().int(), WARNING: z.number().int(), INFO: z.number().int() }),
    /** True while an unacknowledged BLOCKER remains: the workflow stops before creating anything. */
    blocked: z.boolean(),
    scope: z.object({
      topics: z.number().int(),
      partitions: z.number().int(),
      groups: z.number().int(),
      notSelected: z.number().int(),
      excluded: z.number().int(),
      undescribable: z.number().int(),
    }),
    criteria: z.array(CriterionResultSchema),
  }),
);
export type Assessment = z.infer<typeof AssessmentSchema>;

function acknowledge(findings: readonly Finding[], ids: readonly string[]): Finding[] {
  const accepted = new Set(ids);
  return findings.map((f) =>
    f.severity === 'BLOCKER' && accepted.has(f.id) ? { ...f, severity: 'WARNING' as const, acknowledged: true } : f,
  );
}

export function assess(
  inventory: Inventory,
  profile: TargetProfile,
  options: AssessmentOptions,
  assessedAt: string,
): Assessment {
  const raw = RULES.flatMap(({ rule }) => rule(inventory, profile, options));
  const findings = acknowledge(raw, options.acknowledge).sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  );
  const counts = { BLOCKER: 0, WARNING: 0, INFO: 0 };
  for (const f of findings) counts[f.severity]++;
  const scope = scopeOf(inventory, options);
  return {
    schemaVersion: ASSESSMENT_SCHEMA_VERSION,
    assessedAt,
    inventoryCollectedAt: inventory.collectedAt,
    profile,
    options,
    findings,
    counts,
    blocked: counts.BLOCKER > 0,
    scope: {
      topics: scope.topics.length,
      partitions: scope.topics.reduce((s, t) => s + t.partitionCount, 0),
      groups: scope.groups.length,
      notSelected: scope.unmatched.length,
      excluded: scope.excluded.length,
      undescribable: scope.undescribable.length,
    },
    criteria: evaluateCriteria(inventory, profile, options, findings),
  };
}

export type { AssessmentOptions };
