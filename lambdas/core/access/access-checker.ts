/**
 * An access checker answers one question the way a cluster's access control would: may this principal perform this
 * operation on this topic or consumer group? Kafka ACLs (kafka-authorizer.ts) and IAM policies (iam-authorizer.ts)
 * answer it; `notCheckable` stands for an access control that cannot be read from here.
 */

export type AccessOperation = 'READ' | 'WRITE' | 'DESCRIBE';
export type AccessResourceType = 'TOPIC' | 'GROUP';
export type AccessDecision = 'ALLOWED' | 'DENIED' | 'NOT_CHECKABLE';

export interface AccessRequest {
  readonly principal: string;
  readonly resourceType: AccessResourceType;
  readonly resourceName: string;
  readonly operation: AccessOperation;
}

export interface AccessChecker {
  check(request: AccessRequest): Promise<AccessDecision>;
}

/** IAM access control (MSK Serverless, MSK with IAM): the policies live in IAM, not in the cluster. */
export const notCheckable: AccessChecker = {
  async check() {
    return 'NOT_CHECKABLE';
  },
};
