import type { ConnectionOptions } from 'node:tls';
import type { KafkaTlsMaterial } from '../../ports/kafka';

/**
 * Node's TLS options for a connection's material: a private CA replaces the public ones, a client certificate makes
 * it mutual TLS. `true` (Node's defaults) when the plan names neither. The server's name is checked either way.
 */
export function tlsOptions(material: KafkaTlsMaterial | undefined): true | ConnectionOptions {
  if (!material || (!material.ca && !material.certificate)) return true;
  return {
    ...(material.ca ? { ca: material.ca } : {}),
    ...(material.certificate ? { cert: material.certificate, key: material.privateKey } : {}),
  };
}
