import type { AwsPortFactory } from '../aws';
import {
  clientSwitchesFrom,
  notHeld,
  type AwsClientSwitchRegistry,
  type HeldKind,
} from '../../tasks/shared/client-switch-kinds';
import { clientSwitchKindsOf, kindLoaders } from './lazy';

/**
 * CommitConsumerOffsets' client switches: only the two kinds whose consumers it holds at the source's end (Lambda
 * event source mappings, MSK Connect connectors), each loaded on first use when the plan names it (./lazy.ts), so
 * that its bundle carries no ECS client nor the pointer's adapters, and its cold start neither of these two.
 */

const HOLDS = kindLoaders<Pick<AwsClientSwitchRegistry, HeldKind>>({
  LAMBDA_EVENT_SOURCE_MAPPING: async () =>
    (await import('../../tasks/shared/kinds/client-switch-lambda-esm')).lambdaEsmSwitch,
  MSK_CONNECT_CONNECTOR: async () =>
    (await import('../../tasks/shared/kinds/client-switch-msk-connect')).mskConnectSwitch,
});

export const consumerHolds: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) =>
    clientSwitchesFrom(await HOLDS.load(clientSwitchKindsOf(inv.plan)), {}, notHeld),
  { preload: HOLDS.preload },
);
