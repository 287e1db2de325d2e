/**
 * DescribeClientQuotas (Kafka API 48, version 0, Kafka 2.6+) sent through a kafkajs 2.2.4 broker connection, with
 * kafkajs's own encoder and decoder: kafkajs has no client-quota API.
 *
 * Why not @platformatic/kafka, which has one: it is ESM that reads a .wasm file and calls createRequire through
 * `import.meta`, so it cannot load under CommonJS (jest here, the Lambda CJS bundle of lib/task-function.ts) without
 * bundler rewrites. The request is small and stable; this keeps one client, and the call is proven against real
 * brokers (test/integration/inventory-kafka.test.ts). A kafkajs upgrade must re-run that test.
 *
 * Request v0:  components [entity_type STRING, match_type INT8, match NULLABLE_STRING], strict BOOLEAN
 * Response v0: throttle_time_ms INT32, error_code INT16, error_message NULLABLE_STRING,
 *              entries [entity [entity_type STRING, entity_name NULLABLE_STRING], values [key STRING, value FLOAT64]]
 * The match-all filter (no component, not strict) returns every quota: user, client-id, ip, and their defaults.
 */
import type { ClientQuotaEntry } from '../../ports/kafka';

interface KafkaEncoder {
  writeArray(items: unknown[]): KafkaEncoder;
  writeBoolean(value: boolean): KafkaEncoder;
}
interface KafkaDecoder {
  readInt16(): number;
  readInt32(): number;
  readString(): string | null;
  readDouble(): number;
  readArray<T>(reader: (d: KafkaDecoder) => T): T[];
}
interface DescribeClientQuotasResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly entries: ClientQuotaEntry[];
}
/** What a kafkajs Broker exposes once connected: the API versions it negotiated and its connection pool. */
interface BrokerConnection {
  readonly versions?: Record<number, { minVersion: number; maxVersion: number }>;
  readonly connectionPool: { send(request: unknown): Promise<DescribeClientQuotasResponse> };
}

/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder') as new () => KafkaEncoder;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => KafkaDecoder;
const { failure, createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  failure: (code: number) => boolean;
  createErrorFromCode: (code: number) => Error;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const DESCRIBE_CLIENT_QUOTAS = 48;

export function describeClientQuotasRequest(): { request: unknown; response: unknown } {
  return {
    request: {
      apiKey: DESCRIBE_CLIENT_QUOTAS,
      apiVersion: 0,
      apiName: 'DescribeClientQuotas',
      encode: async () => new Encoder().writeArray([]).writeBoolean(false),
    },
    response: {
      decode: async (raw: Buffer): Promise<DescribeClientQuotasResponse> => {
        const d = new Decoder(raw);
        d.readInt32(); // throttle_time_ms
        const errorCode = d.readInt16();
        const errorMessage = d.readString();
        const entries = d.readArray((e) => ({
          entity: e.readArray((x) => ({ type: x.readString() ?? '', name: x.readString() })),
          values: Object.fromEntries(e.readArray((v) => [v.readString() ?? '', v.readDouble()] as const)),
        }));
        return { errorCode, errorMessage, entries };
      },
      parse: async (data: DescribeClientQuotasResponse): Promise<DescribeClientQuotasResponse> => {
        if (failure(data.errorCode)) throw createErrorFromCode(data.errorCode);
        return data;
      },
    },
  };
}

/** Every client quota, read from one connected kafkajs broker. */
export async function describeClientQuotasOn(broker: unknown): Promise<ClientQuotaEntry[]> {
  const b = broker as BrokerConnection;
  const range = b.versions?.[DESCRIBE_CLIENT_QUOTAS];
  if (!range || range.minVersion > 0) {
    throw new Error(
      'UNSUPPORTED_VERSION: the broker does not offer DescribeClientQuotas version 0 (added in Kafka 2.6)',
    );
  }
  const response = await b.connectionPool.send(describeClientQuotasRequest());
  return response.entries;
}
