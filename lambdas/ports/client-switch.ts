import type { ClientSwitchSpec } from '../core/plan/migration-plan';
/**
 * A switch for where Kafka clients run, when they know nothing about the migration: the switch itself moves them (a
 * Lambda event source mapping recreated on the target, an ECS service redeployed with the target's settings, an MSK
 * Connect connector recreated), instead of a pointer the clients read. Adapters: adapters/aws/client-switch-*.ts,
 * adapters/local/process-client-switch.ts (the rehearsal's stand-in for ECS).
 *
 * Every call is one idempotent step of a poll: it looks at where the client is, does the next thing if needed, and
 * says whether it is there; the caller calls again (after a Wait) until `complete`. What the client ran against before
 * (`record`) is journaled by the caller before the first change, and `revert` returns to exactly that.
 */

export type ClientRole = 'PRODUCERS' | 'CONSUMERS' | 'BOTH';

/** What the clients are moved to. */
export interface ClientSwitchTarget {
  readonly bootstrapServers: string;
  /** The target MSK cluster's ARN (Lambda event source mappings and MSK Connect need it for an MSK target). */
  readonly clusterArn?: string;
}

export interface SwitchStep {
  readonly complete: boolean;
  /** What the step did or waits for, for the state and the report: `DELETING_SOURCE_MAPPING`, `DEPLOYING`, … */
  readonly step: string;
  readonly detail?: string;
}

export interface ClientSwitch<R = unknown> {
  readonly kind: string;
  /** `lambda-esm:<uuid>`, `ecs:<cluster>/<service>`, … */
  readonly subject: string;
  readonly role: ClientRole;
  /** Reads how the clients run now: the configuration `revert` returns to (JSON, journaled by the caller). */
  record(): Promise<R>;
  /** Producers first stopped (ECS desired count 0), where the plan asks for it; complete at once otherwise. */
  stop(recorded: R): Promise<SwitchStep>;
  switchToTarget(recorded: R, target: ClientSwitchTarget): Promise<SwitchStep>;
  revert(recorded: R): Promise<SwitchStep>;
  /**
   * Consumers that would keep consuming from the source until their switch (a Lambda event source mapping, a sink
   * connector): the consumer group whose committed offsets CommitConsumerOffsets translates. Undefined when the
   * adapter has no such consumers (their clients stop at the fence or read a pointer).
   */
  consumerGroup?(recorded: R): string | undefined;
  /**
   * Stops those consumers on the source (the mapping disabled, the connector deleted), once they have consumed to the
   * source's end or the plan's catch-up time has passed: complete once they can commit nothing more. `revert` undoes it.
   */
  hold?(recorded: R): Promise<SwitchStep>;
  /**
   * Failback: the same consumers where the switch moved them (the mapping created on the target, the connector
   * created there) held at the target's end before FailbackCutover translates their offsets back to the source:
   * complete once they can commit nothing more on the target. `revert` then returns them to the source.
   */
  holdOnTarget?(recorded: R, target: ClientSwitchTarget): Promise<SwitchStep>;
  /** Undoes `holdOnTarget` when the failback stops: the consumers resume on the target (one step). */
  resumeOnTarget?(recorded: R, target: ClientSwitchTarget): Promise<SwitchStep>;
}

/**
 * Builds the adapter of one `cutover.switches` entry (the AWS handlers: Lambda ESM, ECS; the rehearsal: local
 * processes). Called once per entry and invocation.
 */
export type ClientSwitchFactory = (spec: ClientSwitchSpec) => ClientSwitch;
