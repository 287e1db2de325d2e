import type { ClientSwitchRegistry, FenceRegistry, SwitchRegistry } from '../../core/plan/runtimes';
import type { ClientSwitch } from '../../ports/client-switch';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { KafkaConnection } from '../../ports/kafka';
import type { WriteFence } from '../../ports/write-fence';
import { KafkajsAclWriteFence } from '../kafka/kafkajs-acl-write-fence';
import { FileCutoverSwitch } from './file-cutover-switch';
import { LocalProcessClientSwitch, type LocalProcessSupervisor } from './process-client-switch';

/**
 * The local rehearsal's registry of cutover switches, write fences and client switches (lambdas/core/plan/runtimes.ts
 * declares its kinds; the AWS runtime's are in lambdas/tasks/shared/cutover-switch.ts, write-fence.ts and
 * client-switches.ts). Nothing deployed imports this module.
 */

export interface LocalSwitchDeps {
  /** The file pointer's clock. @default () => new Date() */
  readonly now?: () => Date;
}

export const LOCAL_SWITCHES: SwitchRegistry<'LOCAL', LocalSwitchDeps, CutoverSwitch> = {
  LOCAL_FILE: (spec, { now }) => new FileCutoverSwitch(spec.path, now),
};

export interface LocalFenceDeps {
  /** The orchestrator's connection to the source (a super user: ACLs never bind it). */
  readonly source: KafkaConnection;
}

/** KAFKA_ACL on the rehearsal's source: DENY WRITE bindings its SCRAM listener enforces. */
export const LOCAL_FENCES: FenceRegistry<'LOCAL', LocalFenceDeps, WriteFence> = {
  KAFKA_ACL: (spec, { source }) =>
    new KafkajsAclWriteFence(source, { principals: spec.principals, host: spec.host }, { logLevel: 'NOTHING' }),
};

export interface LocalClientSwitchDeps {
  /** The rehearsal's supervisor of migration-unaware client processes. */
  readonly supervisor: LocalProcessSupervisor;
}

/** LOCAL_PROCESS: the rehearsal's stand-in for ECS_SERVICE (a deployed plan cannot name it). */
export const LOCAL_CLIENT_SWITCHES: ClientSwitchRegistry<'LOCAL', LocalClientSwitchDeps, ClientSwitch> = {
  LOCAL_PROCESS: (spec, { supervisor }) =>
    new LocalProcessClientSwitch(supervisor, {
      application: spec.application,
      role: spec.role,
      environment: spec.environment,
      stopAtFence: spec.stopAtFence,
    }),
};
