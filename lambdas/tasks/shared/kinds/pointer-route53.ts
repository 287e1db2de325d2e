import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53CutoverSwitch } from '../../../adapters/aws/cutover-switch-route53';
import type { AwsSwitchMaker } from '../cutover-switch-kinds';

/** A Route 53 CNAME as the cutover's pointer (one SDK client per container, made on first use). */
let route53Client: Route53Client | undefined;

export const route53Pointer: AwsSwitchMaker<'ROUTE53'> = (spec, { clients }) =>
  new Route53CutoverSwitch(clients.route53 ?? (route53Client ??= new Route53Client({})), {
    hostedZoneId: spec.hostedZoneId,
    recordName: spec.recordName,
    ...(spec.ttlSeconds !== undefined ? { ttlSeconds: spec.ttlSeconds } : {}),
    ...(spec.weighted ? { weighted: spec.weighted } : {}),
  });
