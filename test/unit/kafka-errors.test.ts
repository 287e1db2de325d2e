import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { toMigrationError, type KafkaCallContext } from '../../lambdas/adapters/kafka/kafka-errors';
import { TransientError } from '../../lambdas/core/errors';

const context: KafkaCallContext = {
  cluster: 'source',
  bootstrapServers: ['b-1.example:9096'],
  operation: 'listTopics',
};
/** kafkajs's typings declare some error constructors without arguments; at run time they take a message. */
const withMessage = (ErrorClass: unknown, message: string): Error =>
  new (ErrorClass as new (m: string) => Error)(message);
const protocolError = (type: string, code: number, retriable: boolean): KafkaJSProtocolError =>
  new KafkaJSProtocolError({ message: type, type, code, retriable } as unknown as string);

describe('Kafka client errors mapped to the taxonomy', () => {
  it('maps a refused connection, even wrapped in retries, to Migration.Unreachable', () => {
    // Prepare
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.1:9096', {
      code: 'ECONNREFUSED',
    });
    const wrapped = new KafkaJSNonRetriableError(
      new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 2, retryTime: 400 }) as unknown as Error,
    );

    // Act
    const mapped = toMigrationError(wrapped, context);

    // Assess
    expect(mapped).toMatchObject({
      name: 'Migration.Unreachable',
      details: { cluster: 'source', operation: 'listTopics', bootstrapServers: ['b-1.example:9096'] },
    });
    expect((mapped as Error).message).toMatch(
      /source \(b-1\.example:9096\) is unreachable during listTopics: .*ECONNREFUSED.*security groups/,
    );
  });

  it('maps an unknown host and a connect timeout to Migration.Unreachable', () => {
    // Act
    const unknownHost = toMigrationError(
      new KafkaJSConnectionError('getaddrinfo ENOTFOUND b-9.example', { code: 'ENOTFOUND' }),
      context,
    );
    const timeout = toMigrationError(
      new KafkaJSConnectionError('Connection timeout', { broker: 'b-1.example:9096' }),
      context,
    );

    // Assess
    expect(unknownHost).toMatchObject({ name: 'Migration.Unreachable' });
    expect(timeout).toMatchObject({ name: 'Migration.Unreachable' });
  });

  it('maps a refused SASL login to Migration.AuthFailed', () => {
    // Act
    const mapped = toMigrationError(
      withMessage(
        KafkaJSSASLAuthenticationError,
        'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      ),
      context,
    );

    // Assess
    expect(mapped).toMatchObject({ name: 'Migration.AuthFailed', details: { kind: 'authentication' } });
    expect((mapped as Error).message).toMatch(/refused the credentials during listTopics/);
  });

  it('maps an ACL denial to Migration.AuthFailed of kind authorization, naming the Kafka error', () => {
    // Act
    const mapped = toMigrationError(protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false), {
      ...context,
      operation: 'produce',
    });

    // Assess
    expect(mapped).toMatchObject({
      name: 'Migration.AuthFailed',
      details: { kind: 'authorization', kafkaError: 'TOPIC_AUTHORIZATION_FAILED', operation: 'produce' },
    });
  });

  it('maps a leader election and a request timeout to Migration.Transient', () => {
    // Act
    const election = toMigrationError(protocolError('NOT_LEADER_FOR_PARTITION', 6, true), context);
    const timeout = toMigrationError(
      new (KafkaJSRequestTimeoutError as unknown as new (message: string) => Error)(
        'Request Metadata(key: 3, version: 6) timed out',
      ),
      context,
    );

    // Assess
    expect(election).toBeInstanceOf(TransientError);
    expect(election).toMatchObject({ details: { kafkaError: 'NOT_LEADER_FOR_PARTITION' } });
    expect(timeout).toBeInstanceOf(TransientError);
  });

  it('maps kafkajs’s bare “Broker not connected” (a listener that accepted but never answered) to Migration.Transient', () => {
    // Act
    const mapped = toMigrationError(new Error('Broker not connected'), context);

    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect(mapped).toMatchObject({ details: { cause: 'Broker not connected', operation: 'listTopics' } });
  });

  it('leaves an unknown topic and a plain bug unmapped', () => {
    // Prepare
    const unknownTopic = protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    const bug = new TypeError('Cannot read properties of undefined');

    // Act and Assess
    expect(toMigrationError(unknownTopic, context)).toBe(unknownTopic);
    expect(toMigrationError(bug, context)).toBe(bug);
  });

  it('keeps an error that is already in the taxonomy', () => {
    // Prepare
    const transient = new TransientError('already mapped');

    // Act and Assess
    expect(toMigrationError(transient, context)).toBe(transient);
  });

  it('maps @platformatic/kafka errors by the same facts: network cause, authentication code, protocol id', () => {
    // Prepare: the shapes @platformatic/kafka 1.35 throws (GenericError with code, cause, apiId, apiCode, canRetry).
    const refused = Object.assign(new Error('Connection to 127.0.0.1:1 failed.'), {
      code: 'PLT_KFK_NETWORK',
      canRetry: true,
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    const badPassword = Object.assign(new Error('SASL authentication failed.'), {
      code: 'PLT_KFK_AUTHENTICATION',
      canRetry: false,
    });
    const denied = Object.assign(
      new AggregateError(
        [
          Object.assign(new Error('Topic authorization failed.'), {
            code: 'PLT_KFK_PROTOCOL',
            apiId: 'TOPIC_AUTHORIZATION_FAILED',
            apiCode: 29,
            canRetry: false,
          }),
        ],
        'Received response with error',
      ),
      { code: 'PLT_KFK_RESPONSE' },
    );

    // Act and Assess
    expect(toMigrationError(refused, context)).toMatchObject({ name: 'Migration.Unreachable' });
    expect(toMigrationError(badPassword, context)).toMatchObject({
      name: 'Migration.AuthFailed',
      details: { kind: 'authentication' },
    });
    expect(toMigrationError(denied, context)).toMatchObject({
      name: 'Migration.AuthFailed',
      details: { kind: 'authorization', kafkaError: 'TOPIC_AUTHORIZATION_FAILED' },
    });
  });
});
