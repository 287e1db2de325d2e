/**
 * Kafka's ACL codes as the admin protocol (CreateAcls, DescribeAcls, DeleteAcls) numbers them: the AdminClient's
 * ResourceType, PatternType, AclOperation and AclPermissionType. One table for the KAFKA_ACL fence, the rehearsal's
 * ACLs and the tests that bind ACLs on real brokers.
 */
export const ACL_RESOURCE = { TOPIC: 2, GROUP: 3, CLUSTER: 4 } as const;
export const ACL_PATTERN = { LITERAL: 3 } as const;
export const ACL_OPERATION = { ALL: 2, READ: 3, WRITE: 4, DESCRIBE: 8, IDEMPOTENT_WRITE: 12 } as const;
export const ACL_PERMISSION = { DENY: 2, ALLOW: 3 } as const;
