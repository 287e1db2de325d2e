import { describedGroups, describedTopics, type Inventory } from '../inventory/model';
import type { PrincipalAuthentication, SecurityInventory } from './model';

/**
 * The security mapping's input, read from the inventory: ACL bindings, `super.users` and
 * `allow.everyone.if.no.acl.found` (from the broker configs, else the MSK configuration), topics and groups.
 * Principals are the ones the ACLs name; their authentication is inferred from the name (a distinguished name is an
 * mTLS certificate subject) and the modes enabled on the source.
 */
export type SecurityInventoryFromInventory = { readonly status: 'MAPPABLE'; readonly security: SecurityInventory } | { readonly status: 'NOT_MAPPABLE'; readonly reason: string };

export function securityInventoryFrom(inventory: Inventory): SecurityInventoryFromInventory {
  const acls = inventory.dataPlane.acls;
  if (acls.status === 'NOT_COLLECTED') {
    return { status: 'NOT_MAPPABLE', reason: `The inventory could not read the ACLs (${acls.reason}); no IAM policy can be derived.` };
  }
  if (!acls.authorizerEnabled) {
    return {
      status: 'NOT_MAPPABLE',
      reason: 'The source has no authorizer: every authenticated client may do everything, so the ACLs say nothing about who needs what. List the clients and grant them in IAM by hand.',
    };
  }
  const settings = brokerSettings(inventory);
  const authentication = inventory.controlPlane.status === 'COLLECTED' ? inventory.controlPlane.cluster.authentication : undefined;
  const principals = [...new Set(acls.bindings.map((b) => b.principal).filter((p) => p !== 'User:*'))].sort();
  return {
    status: 'MAPPABLE',
    security: {
      principals: principals.map((principal) => ({ principal, authentication: authenticationOf(principal, authentication) })),
      acls: acls.bindings,
      superUsers: settings['super.users'] ? settings['super.users'].split(';').map((s) => s.trim()).filter((s) => s.length > 0) : [],
      allowEveryoneIfNoAclFound: allowEveryone(inventory, settings),
      topics: describedTopics(inventory).map((t) => t.name),
      consumerGroups: describedGroups(inventory).map((g) => g.groupId),
    },
  };
}

function brokerSettings(inventory: Inventory): Record<string, string> {
  const fromMsk = inventory.controlPlane.status === 'COLLECTED' ? (inventory.controlPlane.cluster.configuration?.serverProperties ?? {}) : {};
  const fromBroker = inventory.dataPlane.brokerConfigs.status === 'COLLECTED' ? inventory.dataPlane.brokerConfigs.configs : {};
  const merged: Record<string, string> = { ...fromMsk };
  for (const [k, v] of Object.entries(fromBroker)) if (v !== null) merged[k] = v;
  return merged;
}

function allowEveryone(inventory: Inventory, settings: Record<string, string>): boolean | undefined {
  const value = settings['allow.everyone.if.no.acl.found'];
  if (value !== undefined) return value.trim().toLowerCase() === 'true';
  // Broker configs list only non-default settings: absent there means Kafka's default, false.
  return inventory.dataPlane.brokerConfigs.status === 'COLLECTED' ? false : undefined;
}

function authenticationOf(principal: string, modes: { scram: boolean; mtls: boolean; iam: boolean } | undefined): PrincipalAuthentication {
  const name = principal.replace(/^User:/, '');
  if (/(^|,)\s*CN=/i.test(name)) return 'MTLS';
  if (modes?.scram) return 'SCRAM';
  return 'UNKNOWN';
}
