import { describedGroups, describedTopics, type Inventory } from '../inventory/model';
import type { PrincipalAuthentication, SecurityInventory } from './model';

/**
 * The security mapping's input, read from the inventory: ACL bindings, `super.users` and
 * `allow.everyone.if.no.acl.found` (from the broker configs, else the MSK configuration), topics and groups.
 * Principals are the ones the ACLs name; their authentication is inferred from the name (a distinguished name is an
 * mTLS certificate subject) and the modes enabled on the source.
 */
export type SecurityInventoryFromInventory =
  | { readonly status: 'MAPPABLE'; readonly security: SecurityInventory }
  | { readonly status: 'NOT_MAPPABLE'; readonly reason: string };

export function securityInventoryFrom(inventory: Inventory): SecurityInventoryFromInventory {
  const acls = inventory.dataPlane.acls;
  if (acls.status === 'NOT_COLLECTED') {
    return {
      status: 'NOT_MAPPABLE',
      reason: `The inventory could not read the ACLs (${acls.reason}); no IAM policy can be derived.`,
    };
  }
  if (!acls.authorizerEnabled) {
    return {
      status: 'NOT_MAPPABLE',
      reason:
        'The source has no authorizer: every authenticated client may do everything, so the ACLs say nothing about who needs what. List the clients and grant them in IAM by hand.',
    };
  }
  const settings = brokerSettings(inventory);
  const supers = superUsers(settings);
  // The MSK control plane says which modes are on; without it (self-managed source), the inventory's own connection does.
  const authentication =
    inventory.controlPlane.status === 'COLLECTED'
      ? inventory.controlPlane.cluster.authentication
      : {
          scram: inventory.source.authMechanism.toUpperCase().startsWith('SCRAM'),
          mtls: inventory.source.authMechanism.toUpperCase() === 'TLS',
          iam: inventory.source.authMechanism.toUpperCase() === 'IAM',
        };
  const principals = [...new Set(acls.bindings.map((b) => b.principal).filter((p) => p !== 'User:*'))].sort();
  return {
    status: 'MAPPABLE',
    security: {
      principals: principals.map((principal) => ({
        principal,
        authentication: authenticationOf(principal, authentication),
      })),
      acls: acls.bindings,
      ...(supers ? { superUsers: supers } : {}),
      allowEveryoneIfNoAclFound: allowEveryone(settings),
      topics: describedTopics(inventory).map((t) => t.name),
      consumerGroups: describedGroups(inventory).map((g) => g.groupId),
    },
  };
}

/**
 * Broker settings from the MSK configuration (readable) and the broker's DescribeConfigs. Kafka reports settings it
 * does not define itself, such as the authorizer's `super.users` and `allow.everyone.if.no.acl.found`, as sensitive
 * with a null value: those are `hidden`, not absent.
 */
function brokerSettings(inventory: Inventory): {
  known: Record<string, string>;
  hidden: Set<string>;
  brokerConfigsRead: boolean;
} {
  const known: Record<string, string> =
    inventory.controlPlane.status === 'COLLECTED'
      ? { ...(inventory.controlPlane.cluster.configuration?.serverProperties ?? {}) }
      : {};
  const hidden = new Set<string>();
  const broker = inventory.dataPlane.brokerConfigs;
  if (broker.status === 'COLLECTED') {
    for (const [k, v] of Object.entries(broker.configs)) {
      if (v !== null) known[k] = v;
      else if (!(k in known)) hidden.add(k);
    }
  }
  return { known, hidden, brokerConfigsRead: broker.status === 'COLLECTED' };
}

function allowEveryone(settings: ReturnType<typeof brokerSettings>): boolean | undefined {
  const name = 'allow.everyone.if.no.acl.found';
  const value = settings.known[name];
  if (value !== undefined) return value.trim().toLowerCase() === 'true';
  if (settings.hidden.has(name)) return undefined;
  // Broker configs list only non-default settings: absent there means Kafka's default, false.
  return settings.brokerConfigsRead ? false : undefined;
}

function superUsers(settings: ReturnType<typeof brokerSettings>): string[] | undefined {
  const value = settings.known['super.users'];
  if (value !== undefined)
    return value
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  return settings.hidden.has('super.users') || !settings.brokerConfigsRead ? undefined : [];
}

function authenticationOf(
  principal: string,
  modes: { scram: boolean; mtls: boolean; iam: boolean } | undefined,
): PrincipalAuthentication {
  const name = principal.replace(/^User:/, '');
  if (/(^|,)\s*CN=/i.test(name)) return 'MTLS';
  if (modes?.scram) return 'SCRAM';
  return 'UNKNOWN';
}
