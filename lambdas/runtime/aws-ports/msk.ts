import type { AwsPortFactory } from '../aws';
import { mskOf } from '../aws-msk';

/** MSK's control plane (describe clusters, bootstrap brokers), without any Kafka client (lambdas/runtime/aws-msk.ts). */
export const msk: AwsPortFactory = async (inv) => mskOf(inv).msk();
