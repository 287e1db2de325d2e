/**
 * Names shared by the deployed resources (lib/) and the runtime (lambdas/): what an execution creates is named and
 * tagged so that the construct's IAM patterns match it and the rollback finds only what this tool made.
 */

/** Ownership tag: the migration an execution belongs to. */
export const TAG_MIGRATION_ID = 'msk-migration:migration-id';
/** Ownership tag: the execution that created the resource (IAM conditions require it on create and delete). */
export const TAG_EXECUTION = 'msk-migration:execution';

/** MSK Replicators and MSK Connect connectors this tool creates: `mskmig-<…>`. */
export const REPLICATOR_NAME_PREFIX = 'mskmig-';
/** The canary topic, the only topic this tool ever writes: `msk-migration.canary.<…>`. */
export const CANARY_TOPIC_PREFIX = 'msk-migration.canary.';
/** CloudWatch alarms this tool puts: `msk-migration-<migrationId>-…`. */
export const ALARM_NAME_PREFIX = 'msk-migration-';

/** The alias every execution is started through (`<state machine ARN>:live`): the version the last deploy published. */
export const STATE_MACHINE_ALIAS = 'live';
