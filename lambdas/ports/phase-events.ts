/**
 * Phase changes of a migration as events, for people and systems that follow it (SNS e-mail, Slack, a team's own
 * EventBridge rules). Step Functions already emits "Step Functions Execution Status Change" for the execution as a
 * whole; these say what happened inside it: Inventory done, catch-up reached, waiting for approval, cut over.
 * Adapters: EventBridge PutEvents (aws), an in-memory list (local).
 *
 * Publishing is best effort: a task never fails because its announcement could not be sent.
 */

/** EventBridge `source` and `detail-type` of the events (the notification rule matches on both). */
export { PHASE_CHANGED_DETAIL_TYPE, PHASE_EVENT_SOURCE } from '../contract/telemetry';

export type PhaseStatus = 'SUCCEEDED' | 'FAILED' | 'WAITING';

export interface PhaseChanged {
  readonly migrationId: string;
  /** Step Functions execution ARN (or the local execution's ID). */
  readonly executionId: string;
  /** The ASL state name (`Inventory`, `AwaitCatchUp`, `Cutover`, …). */
  readonly phase: string;
  readonly status: PhaseStatus;
  /** One sentence for a person (`12 topics, 3 groups, 40 ACLs inventoried`). Never secrets. */
  readonly summary: string;
  /** Small, flat figures (`{ topics: 12 }`); the evidence stays in the artifact store. */
  readonly figures?: Readonly<Record<string, string | number | boolean>>;
  /** Error name when FAILED (`Migration.LagTimeout`). */
  readonly errorName?: string;
  /** ISO-8601. */
  readonly at: string;
}

export interface PhaseEvents {
  publish(event: PhaseChanged): Promise<void>;
}
