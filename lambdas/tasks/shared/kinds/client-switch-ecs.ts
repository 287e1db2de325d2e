import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsServiceClientSwitch } from '../../../adapters/aws/client-switch-ecs';
import type { AwsClientSwitchMaker } from '../client-switch-kinds';

/** An ECS service as a client switch (one SDK client per container, made on first use). */
let ecsClient: ECSClient | undefined;

export const ecsServiceSwitch: AwsClientSwitchMaker<'ECS_SERVICE'> = (spec, clients) =>
  new EcsServiceClientSwitch(clients.ecs ?? (ecsClient ??= new ECSClient({})), {
    cluster: spec.cluster,
    service: spec.service,
    role: spec.role,
    environment: spec.environment,
    ...(spec.containerName ? { containerName: spec.containerName } : {}),
    stopAtFence: spec.stopAtFence,
  });
