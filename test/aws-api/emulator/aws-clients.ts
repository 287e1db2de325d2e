import { EMULATOR_REGION, type MotoServer } from './moto-server';

/**
 * Client configuration that points an AWS SDK v3 client at the emulator: endpoint override, a fixed region, dummy
 * credentials (the emulator does not check signatures, but the SDK signs every request), few retries so that an
 * error shape reaches the test instead of being retried away.
 */
export function emulatorClientConfig(server: Pick<MotoServer, 'endpoint'>) {
  return {
    endpoint: server.endpoint,
    region: EMULATOR_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  } as const;
}

/** S3 needs path-style addressing on an IP endpoint (`http://127.0.0.1:port/bucket/key`). */
export function emulatorS3Config(server: Pick<MotoServer, 'endpoint'>) {
  return { ...emulatorClientConfig(server), forcePathStyle: true } as const;
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Counts the requests a client sends, per command name (`ListObjectsV2Command`): how a test sees pages being followed. */
export function countRequests(client: object): Map<string, number> {
  const counts = new Map<string, number>();
  (client as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `countRequests${Math.random()}` },
  );
  return counts;
}
