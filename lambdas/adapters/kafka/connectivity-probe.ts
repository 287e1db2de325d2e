import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ConnectivityCheck, StageResult } from '../../core/connectivity/preflight';
import type { KafkaConnection } from '../../ports/kafka';
import { tlsOptions } from './tls-options';

/**
 * The connectivity preflight's stages on one cluster (lambdas/core/connectivity/preflight.ts says what they mean):
 * TCP and TLS with node:net / node:tls on each bootstrap server and one ApiVersions request written by hand (the
 * smallest Kafka request, answered before any authentication), then AUTH and METADATA through the adapter's own
 * metadata call, so the login is the one every task uses. Shared by the kafkajs and @platformatic/kafka adapters.
 */

const DEFAULT_TIMEOUT_MS = 5_000;

export interface ProbeOptions {
  /** Bound for each TCP connect, TLS handshake and ApiVersions answer. @default 5_000 */
  readonly timeoutMs?: number;
}

function usesTls(connection: KafkaConnection): boolean {
  const auth = connection.auth;
  switch (auth.mechanism) {
    case 'PLAINTEXT':
      return false;
    case 'TLS':
    case 'IAM':
      return true;
    default:
      return auth.tls ?? false;
  }
}

function splitEndpoint(endpoint: string): { host: string; port: number } {
  const at = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(at + 1)) };
}

/** ApiVersions v0 with correlation id 1: size, api key 18, version 0, correlation id, client id. */
function apiVersionsRequest(): Buffer {
  const clientId = Buffer.from('msk-migration-preflight');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(1, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Resolves with the socket once `event` fires, rejects on error, close or past the deadline (destroying it). */
function settle<S extends Socket>(socket: S, event: string, timeoutMs: number, what: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(Object.assign(new Error(`${what}: no answer within ${timeoutMs} ms`), { code: 'PREFLIGHT_TIMEOUT' }));
    }, timeoutMs);
    const onEvent = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(Object.assign(new Error(`${what}: the broker closed the connection`), { code: 'PREFLIGHT_CLOSED' }));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off(event, onEvent);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** Writes ApiVersions and waits for an answer with its correlation id (a broker speaking Kafka on this protocol). */
async function exchangeApiVersions(socket: Socket, timeoutMs: number): Promise<void> {
  const answered = new Promise<void>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      done();
      reject(Object.assign(new Error(`no ApiVersions answer within ${timeoutMs} ms`), { code: 'PREFLIGHT_NO_ANSWER' }));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 8) return;
      done();
      if (received.readInt32BE(4) === 1) resolve();
      else reject(Object.assign(new Error('the answer to ApiVersions is not Kafka'), { code: 'PREFLIGHT_NOT_KAFKA' }));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onClose = (): void => {
      done();
      reject(
        Object.assign(new Error('the broker closed the connection instead of answering ApiVersions'), {
          code: 'PREFLIGHT_CLOSED',
        }),
      );
    };
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
  socket.write(apiVersionsRequest());
  await answered;
}

const describe = (err: unknown): string => {
  const e = err as { code?: string; message?: string };
  const code = e.code && !String(e.code).startsWith('PREFLIGHT_') ? `${e.code}: ` : '';
  return `${code}${e.message ?? String(err)}`;
};

/**
 * Alerts a broker sends about the client's certificate (mTLS refused: none given, unknown CA, bad or expired
 * certificate). Under TLS 1.3 they arrive after the client's side of the handshake, on the first read.
 */
const CLIENT_CERTIFICATE_ALERT =
  /ALERT_(?:CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)|certificate required|bad certificate|unknown ca/i;

/** TCP and TLS (or the plaintext ApiVersions) on one bootstrap server: the stages it passed, or the one it failed. */
async function probeEndpoint(connection: KafkaConnection, endpoint: string, timeoutMs: number): Promise<StageResult[]> {
  const { host, port } = splitEndpoint(endpoint);
  const results: StageResult[] = [];
  let socket: Socket | undefined;
  try {
    socket = await settle(tcpConnect({ host, port }), 'connect', timeoutMs, `TCP connect to ${endpoint}`);
  } catch (err) {
    return [{ stage: 'TCP', passed: false, endpoint, detail: describe(err) }];
  }
  results.push({ stage: 'TCP', passed: true, endpoint, detail: 'connected' });
  const tls = usesTls(connection);
  const clientCertificate = connection.tls?.certificate !== undefined;
  let tlsSocket: TLSSocket | undefined;
  try {
    if (tls) {
      const material = tlsOptions(connection.tls);
      tlsSocket = tlsConnect({
        socket,
        ...(isIP(host) ? {} : { servername: host }),
        ...(material === true ? {} : material),
      });
      try {
        await settle(tlsSocket, 'secureConnect', timeoutMs, `TLS handshake with ${endpoint}`);
      } catch (err) {
        const detail = describe(err);
        // The broker refused our certificate during the handshake (TLS 1.2): that is the login of mTLS.
        if (CLIENT_CERTIFICATE_ALERT.test(detail))
          return [
            ...results,
            {
              stage: 'AUTH',
              passed: false,
              endpoint,
              detail: `the broker refused the client certificate (${clientCertificate ? 'check it is signed by a CA the broker trusts and still valid' : 'the listener requires one and the plan gives none: set clientCertificateSecretArn'}): ${detail}`,
            },
          ];
        return [...results, { stage: 'TLS', passed: false, endpoint, detail: `handshake failed: ${detail}` }];
      }
    }
    try {
      await exchangeApiVersions(tlsSocket ?? socket, timeoutMs);
    } catch (err) {
      const detail = describe(err);
      if (tls && CLIENT_CERTIFICATE_ALERT.test(detail))
        return [
          ...results,
          { stage: 'TLS', passed: true, endpoint, detail: 'handshake completed' },
          {
            stage: 'AUTH',
            passed: false,
            endpoint,
            detail: `the broker refused the client certificate (${clientCertificate ? 'check it is signed by a CA the broker trusts and still valid' : 'the listener requires one and the plan gives none: set clientCertificateSecretArn'}): ${detail}`,
          },
        ];
      return [
        ...results,
        {
          stage: 'TLS',
          passed: false,
          endpoint,
          detail: tls
            ? `handshake completed but no Kafka answer over TLS: ${detail}`
            : `no Kafka answer in plaintext (${detail}): is this a TLS listener? The plan says ${connection.auth.mechanism}${connection.auth.mechanism === 'PLAINTEXT' ? '' : ' without TLS'}`,
        },
      ];
    }
    results.push({
      stage: 'TLS',
      passed: true,
      endpoint,
      detail: tls
        ? `handshake completed (${tlsSocket?.getProtocol() ?? 'TLS'}), ApiVersions answered`
        : 'no TLS (the plan says so): ApiVersions answered in plaintext',
    });
    return results;
  } finally {
    tlsSocket?.destroy();
    socket.destroy();
  }
}

/**
 * The four stages on every bootstrap server of `connection`; `metadata` is the adapter's metadata call (its login
 * included), mapped to the error taxonomy: an authentication failure is the AUTH stage, anything else METADATA.
 */
export async function probeConnectivity(
  connection: KafkaConnection,
  metadata: () => Promise<unknown>,
  options: ProbeOptions = {},
): Promise<ConnectivityCheck> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stages: StageResult[] = [];
  const base = { cluster: connection.name, bootstrapServers: [...connection.bootstrapServers] };
  for (const endpoint of connection.bootstrapServers) {
    const results = await probeEndpoint(connection, endpoint, timeoutMs);
    stages.push(...results);
    if (results.some((r) => !r.passed)) return { ...base, stages };
  }
  const first = connection.bootstrapServers.join(',');
  try {
    await metadata();
  } catch (err) {
    const e = err as { name?: string; message?: string; details?: { kind?: string } };
    const authentication = e.name === 'Migration.AuthFailed' && e.details?.kind === 'authentication';
    stages.push(
      authentication
        ? { stage: 'AUTH', passed: false, endpoint: first, detail: e.message ?? String(err) }
        : { stage: 'AUTH', passed: true, endpoint: first, detail: 'login accepted' },
    );
    if (!authentication)
      stages.push({ stage: 'METADATA', passed: false, endpoint: first, detail: e.message ?? String(err) });
    return { ...base, stages };
  }
  stages.push({
    stage: 'AUTH',
    passed: true,
    endpoint: first,
    detail:
      connection.auth.mechanism === 'PLAINTEXT'
        ? 'no authentication (PLAINTEXT)'
        : connection.auth.mechanism === 'TLS'
          ? connection.tls?.certificate
            ? 'client certificate accepted'
            : 'TLS without a client certificate'
          : `${connection.auth.mechanism} login accepted`,
  });
  stages.push({ stage: 'METADATA', passed: true, endpoint: first, detail: 'metadata answered' });
  return { ...base, stages };
}
