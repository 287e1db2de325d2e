/**
 * How executions are named and started, shared by the construct (the alias it publishes) and the CLI (what `start`
 * calls): one migration is one execution name, so Step Functions itself refuses a second execution of it.
 */

/** The alias every execution is started through (`<state machine ARN>:live`): the version the last deploy published. */
import { STATE_MACHINE_ALIAS } from '../../contract/names';

export { STATE_MACHINE_ALIAS };

/**
 * `<migrationId>` for the first attempt, `<migrationId>-attempt-<n>` for the next ones. Deterministic: starting the
 * same migration twice names the same execution (Step Functions keeps a name for 90 days, so a migration that ended
 * is started again with the next attempt number). A migration ID is a slug of at most 40 characters, so the name
 * always fits Step Functions' 80.
 */
export function executionNameFor(migrationId: string, attempt = 1): string {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new Error(`attempt ${attempt} is not a positive integer (1 for the first execution of a migration)`);
  return attempt === 1 ? migrationId : `${migrationId}-attempt-${attempt}`;
}

/** The state machine ARN with the alias (`…:stateMachine:<name>:live`); a qualified ARN (version or alias) is kept. */
export function aliasArnOf(stateMachineArn: string, alias = STATE_MACHINE_ALIAS): string {
  return stateMachineArn.split(':').length === 7 ? `${stateMachineArn}:${alias}` : stateMachineArn;
}
