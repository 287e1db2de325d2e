import { requirePlan, stepOf, type AwsPortFactory } from '../aws';
import { clustersOf } from '../aws-clusters';
import { clientSwitchesFrom, type AwsClientSwitchRegistry } from '../../tasks/shared/client-switch-kinds';
import { cutoverSwitchFrom, type AwsSwitchRegistry } from '../../tasks/shared/cutover-switch-kinds';
import { writeFenceFrom, type AwsFenceRegistry } from '../../tasks/shared/write-fence-kinds';
import { clientSwitchKindsOf, kindLoaders } from './lazy';

/**
 * The cutover's ports, from the AWS runtime's kinds (lambdas/tasks/shared/kinds/): the plan's pointer (SSM, Route 53,
 * a hook Lambda), its write fence on the source (Kafka ACLs, IAM policies; none for POINTER) and its client switches.
 * Each kind's adapter, with its SDK client, is loaded on first use, the kinds the plan names only (./lazy.ts); a
 * warm-up loads them all.
 */

const POINTERS = kindLoaders<AwsSwitchRegistry>({
  SSM_PARAMETER: async () => (await import('../../tasks/shared/kinds/pointer-ssm')).ssmPointer,
  ROUTE53: async () => (await import('../../tasks/shared/kinds/pointer-route53')).route53Pointer,
  HOOK: async () => (await import('../../tasks/shared/kinds/pointer-hook')).hookPointer,
});

const FENCES = kindLoaders<AwsFenceRegistry>({
  KAFKA_ACL: async () => (await import('../../tasks/shared/kinds/fence-kafka-acl')).kafkaAclFence,
  IAM_POLICY: async () => (await import('../../tasks/shared/kinds/fence-iam-policy')).iamPolicyFence,
});

const CLIENT_SWITCHES = kindLoaders<AwsClientSwitchRegistry>({
  LAMBDA_EVENT_SOURCE_MAPPING: async () =>
    (await import('../../tasks/shared/kinds/client-switch-lambda-esm')).lambdaEsmSwitch,
  ECS_SERVICE: async () => (await import('../../tasks/shared/kinds/client-switch-ecs')).ecsServiceSwitch,
  MSK_CONNECT_CONNECTOR: async () =>
    (await import('../../tasks/shared/kinds/client-switch-msk-connect')).mskConnectSwitch,
});

export const pointer: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const plan = requirePlan(inv, 'pointer');
    const execution = inv.executionId ?? inv.state?.execution?.id;
    return cutoverSwitchFrom(
      await POINTERS.load([plan.cutover.switch.type]),
      plan,
      {},
      execution ? { execution, step: stepOf(inv) } : undefined,
    );
  },
  { preload: POINTERS.preload },
);

export const writeFence: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) => {
    const plan = requirePlan(inv, 'writeFence');
    return writeFenceFrom(await FENCES.load([plan.cutover.fence.type]), plan, () =>
      clustersOf(inv).sourceConnection(plan),
    );
  },
  { preload: FENCES.preload },
);

export const clientSwitches: AwsPortFactory = Object.assign(
  async (inv: Parameters<AwsPortFactory>[0]) =>
    clientSwitchesFrom(await CLIENT_SWITCHES.load(clientSwitchKindsOf(inv.plan))),
  { preload: CLIENT_SWITCHES.preload },
);
