import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  KafkaStartError,
  startKafkaCluster,
  startKafkaClusters,
  stopAllKafkaClusters,
} from '../../rehearsal/kafka/cluster';
import { liveJavaProcesses } from '../../rehearsal/kafka/java-process';
import { KAFKA_VERSIONS, LATEST_KAFKA_VERSION } from '../../rehearsal/kafka/versions';

/**
 * The harness's failure paths: a broker that exits during start-up or is not ready in time is reported with its
 * last log lines, and nothing it started is left running.
 */
jest.setTimeout(120_000);

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await stopAllKafkaClusters();
});

describe.each(KAFKA_VERSIONS)('the Kafka %s harness', (version) => {
  it('reports a broker that exits during start-up with its last log lines, and leaves no process or data behind', async () => {
    // Act
    const error = await startKafkaCluster({
      name: `bad-config-${version}`,
      version,
      brokerProperties: { 'authorizer.class.name': 'org.example.NoSuchAuthorizer' },
    }).catch((err: unknown) => err);

    // Assess
    expect(error).toBeInstanceOf(KafkaStartError);
    const startError = error as KafkaStartError;
    expect(startError.message).toMatch(/exited during start-up/);
    expect(startError.message).toMatch(/NoSuchAuthorizer/);
    expect(isRunning(startError.pid)).toBe(false);
    expect(existsSync(path.join(path.dirname(startError.logFile), 'data'))).toBe(false);
    expect(existsSync(startError.logFile)).toBe(true);
  });
});

describe(`the Kafka ${LATEST_KAFKA_VERSION} harness`, () => {
  it('gives up on a broker that is not ready by the deadline and stops it', async () => {
    // Act
    const error = await startKafkaCluster({ name: 'slow', readyTimeoutMs: 1 }).catch((err: unknown) => err);

    // Assess
    expect(error).toBeInstanceOf(KafkaStartError);
    expect((error as KafkaStartError).message).toMatch(/was not ready after 1 ms/);
    expect(isRunning((error as KafkaStartError).pid)).toBe(false);
  });

  it('stops the clusters started together with one that fails', async () => {
    // Act
    const attempt = startKafkaClusters([
      { name: 'good' },
      { name: 'bad', brokerProperties: { 'authorizer.class.name': 'org.example.NoSuchAuthorizer' } },
    ]);

    // Assess
    await expect(attempt).rejects.toThrow(/bad .*exited during start-up/);
    expect(liveJavaProcesses()).toEqual([]);
  });
});
