import { dataPlaneFactoryFor, kafkaClientFrom } from '../../lambdas/adapters/kafka/index';
import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { KafkaConnection } from '../../lambdas/ports/kafka';

const mockLoaded: string[] = [];
jest.mock('../../lambdas/adapters/kafka/platformatic-data-plane', () => {
  mockLoaded.push('platformatic');
  return jest.requireActual('../../lambdas/adapters/kafka/platformatic-data-plane');
});

const connection: KafkaConnection = {
  name: 'source',
  bootstrapServers: ['b-1:9098'],
  auth: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
};

describe('the Kafka client of the data plane', () => {
  it('is kafkajs when KAFKA_CLIENT is unset or empty', () => {
    // Act
    const unset = kafkaClientFrom({});
    const empty = kafkaClientFrom({ KAFKA_CLIENT: '  ' });

    // Assess
    expect(unset).toBe('kafkajs');
    expect(empty).toBe('kafkajs');
  });

  it('is the client KAFKA_CLIENT names, in any case and with spaces around', () => {
    // Act
    const named = [kafkaClientFrom({ KAFKA_CLIENT: 'platformatic' }), kafkaClientFrom({ KAFKA_CLIENT: ' KafkaJS ' })];

    // Assess
    expect(named).toEqual(['platformatic', 'kafkajs']);
  });

  it('refuses any other value, naming the variable, the value and the choices', () => {
    // Act
    const attempt = (): unknown => kafkaClientFrom({ KAFKA_CLIENT: 'librdkafka' });

    // Assess
    expect(attempt).toThrow(
      'Task function misconfigured: KAFKA_CLIENT must be one of kafkajs, platformatic, got "librdkafka".',
    );
  });

  it('builds kafkajs data planes without loading @platformatic/kafka', async () => {
    // Act
    const factory = await dataPlaneFactoryFor('kafkajs', { clientId: 'msk-migrate-test' });
    const plane = factory(connection);

    // Assess
    expect(plane).toBeInstanceOf(KafkajsDataPlane);
    expect(plane.connection).toBe(connection);
    expect(mockLoaded).toEqual([]);
  });

  it('builds @platformatic/kafka data planes with the options given, when asked for', async () => {
    // Act
    const factory = await dataPlaneFactoryFor('platformatic', { clientId: 'msk-migrate-test' });
    const plane = factory(connection);

    // Assess
    const { PlatformaticDataPlane, platformaticOptions } =
      await import('../../lambdas/adapters/kafka/platformatic-data-plane');
    expect(plane).toBeInstanceOf(PlatformaticDataPlane);
    expect(plane.connection).toBe(connection);
    expect(mockLoaded).toEqual(['platformatic']);
    expect(platformaticOptions(connection, { clientId: 'msk-migrate-test' })).toMatchObject({
      clientId: 'msk-migrate-test',
      bootstrapBrokers: ['b-1:9098'],
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    });
    await plane.close();
  });

  it('in a function bundled for the other client, refuses the one KAFKA_CLIENT names, saying what to redeploy', async () => {
    // Prepare: what esbuild defines in a kafkajs deployment's bundle (lib/handler-bundles.ts, BundleTarget)
    process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT = 'kafkajs';
    try {
      // Act
      const attempt = dataPlaneFactoryFor('platformatic');

      // Assess
      await expect(attempt).rejects.toThrow(
        'Task function misconfigured: KAFKA_CLIENT is "platformatic" but this function was bundled for kafkajs only',
      );
      await expect(dataPlaneFactoryFor('kafkajs')).resolves.toEqual(expect.any(Function));
    } finally {
      delete process.env.MSK_MIGRATION_BUNDLED_KAFKA_CLIENT;
    }
  });
});
