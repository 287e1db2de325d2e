/**
 * Names and ownership tags of what one execution creates (target cluster, replicator, canary topic, alarms).
 * Names are derived from the migration id and the execution name, so a retried task finds what an earlier
 * attempt created; tags say who created a resource, so rollback deletes only its own.
 */

export interface ExecutionIdentity {
  /** Lowercase slug from the execution input. */
  readonly migrationId: string;
  /** The Step Functions execution name (unique per state machine). */
  readonly executionName: string;
  /**
   * The wave being cut over (`waves[].name`), for a plan in waves: the cutover's journals and evidence are kept per
   * wave (`cutover/waves/<name>/…`), so that one wave's rollback reads and undoes only what that wave did.
   */
  readonly wave?: string;
}

import {
  ALARM_NAME_PREFIX,
  CANARY_TOPIC_PREFIX,
  REPLICATOR_NAME_PREFIX,
  TAG_EXECUTION,
  TAG_MIGRATION_ID,
} from '../../contract/names';

export { ALARM_NAME_PREFIX, TAG_EXECUTION, TAG_MIGRATION_ID };

export function ownershipTags(identity: ExecutionIdentity): Record<string, string> {
  return { [TAG_MIGRATION_ID]: identity.migrationId, [TAG_EXECUTION]: identity.executionName };
}

export function isOwnedBy(tags: Readonly<Record<string, string>> | undefined, identity: ExecutionIdentity): boolean {
  return tags?.[TAG_MIGRATION_ID] === identity.migrationId && tags?.[TAG_EXECUTION] === identity.executionName;
}

/** A short, stable, name-safe digest (FNV-1a, base 36): tells executions apart inside length-capped names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).padStart(7, '0');
}

function capped(base: string, identity: ExecutionIdentity, maxLength: number, separator: string): string {
  const suffix = shortHash(`${identity.migrationId}/${identity.executionName}`);
  return `${base.slice(0, maxLength - suffix.length - separator.length)}${separator}${suffix}`;
}

/** MSK Replicator names: letters, digits and hyphens, up to 64 characters; MSK Connect accepts the same. */
export function replicatorName(identity: ExecutionIdentity): string {
  return capped(`${REPLICATOR_NAME_PREFIX}${identity.migrationId}`.replace(/[^A-Za-z0-9-]/g, '-'), identity, 64, '-');
}

/**
 * The reverse replicator of a failback (target → source): distinct from the forward one, so that both can exist at
 * once (MSK Replicator's bidirectional ENHANCED offset sync needs both) and a stop deletes only the one it means.
 */
export function failbackReplicatorName(identity: ExecutionIdentity): string {
  const suffix = shortHash(`${identity.migrationId}/${identity.executionName}/failback`);
  const base = `${REPLICATOR_NAME_PREFIX}${identity.migrationId}`.replace(/[^A-Za-z0-9-]/g, '-');
  return `${base.slice(0, 64 - suffix.length - '-failback-'.length)}-failback-${suffix}`;
}

/**
 * The canary topic of this execution. Not prefixed with `__` (both engines skip such topics) and made of legal topic
 * characters; it is the only thing this tool ever writes to the source cluster.
 */
export function canaryTopicName(identity: ExecutionIdentity): string {
  return capped(`${CANARY_TOPIC_PREFIX}${identity.migrationId}`.replace(/[^A-Za-z0-9._-]/g, '-'), identity, 200, '.');
}

/** Prefix of every alarm an execution creates: the construct scopes the task's cloudwatch:PutMetricAlarm to it. */

export function alarmNamePrefix(identity: ExecutionIdentity): string {
  return capped(`${ALARM_NAME_PREFIX}${identity.migrationId}`, identity, 200, '-') + '-';
}

/** A regex that matches exactly this literal name (for include lists). */
export function literalPattern(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
