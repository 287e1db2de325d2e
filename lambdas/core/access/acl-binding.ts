import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * The one ACL binding of the project: Kafka's AdminClient shape (`describeAcls`), as the data-plane port returns it,
 * the inventory stores it, the security mapping translates it and the access checkers decide on it.
 */

export const AclResourceTypeSchema = lazySchema(() =>
  z.enum(['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER']),
);
export type AclResourceType = z.infer<typeof AclResourceTypeSchema>;

export const AclBindingSchema = lazySchema(() =>
  z.object({
    resourceType: AclResourceTypeSchema,
    resourceName: z.string(),
    patternType: z.enum(['LITERAL', 'PREFIXED']),
    /** `User:alice` (SCRAM), `User:CN=orders,OU=apps` (mTLS), `User:*` (everyone). */
    principal: z.string(),
    /** `*` (or empty) for any host. */
    host: z.string(),
    /** Kafka's operation names: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALL. */
    operation: z.string(),
    permissionType: z.enum(['ALLOW', 'DENY']),
  }),
);
export type AclBinding = z.infer<typeof AclBindingSchema>;

/** The resource types Kafka's authorizer decides on for clients (delegation tokens and users are administrative). */
const AUTHORIZER_RESOURCE_TYPES: ReadonlySet<AclResourceType> = new Set([
  'TOPIC',
  'GROUP',
  'CLUSTER',
  'TRANSACTIONAL_ID',
]);

/** The bindings Kafka's authorizer decides client requests on. */
export function authorizerBindings(bindings: readonly AclBinding[]): AclBinding[] {
  return bindings.filter((b) => AUTHORIZER_RESOURCE_TYPES.has(b.resourceType));
}
