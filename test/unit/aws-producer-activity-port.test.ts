import { producerActivity } from '../../lambdas/runtime/aws-ports/platformatic-reads';
import type { AwsInvocation } from '../../lambdas/runtime/aws';
import type { ProducerActivity } from '../../lambdas/ports/producer-activity';

/**
 * CheckDrain's producerActivity port (lambdas/runtime/aws-ports/platformatic-reads.ts) loads @platformatic/kafka on the first
 * DescribeProducers, not when the port is built: every CheckDrain invocation builds it, while producers hold their
 * writes, and most never ask (only a partition that moves after the fence is described).
 */

const mockAdapter = { loaded: 0, built: [] as unknown[], described: [] as unknown[], closed: 0 };
jest.mock('../../lambdas/adapters/kafka/platformatic-producer-activity', () => {
  mockAdapter.loaded += 1;
  return {
    PlatformaticProducerActivity: class {
      constructor(connection: unknown) {
        mockAdapter.built.push(connection);
      }
      async describeProducers(partitions: unknown[]) {
        mockAdapter.described.push(partitions);
        return [{ topic: 'orders', partition: 0, producers: [] }];
      }
      async close() {
        mockAdapter.closed += 1;
      }
    },
  };
});

const connection = { name: 'source', bootstrapServers: ['b-1:9098'], auth: { mechanism: 'IAM', region: 'eu-west-1' } };

function invocation(): { inv: AwsInvocation; close: () => Promise<void> } {
  const closers: Array<() => Promise<void>> = [];
  const inv = {
    fn: 'CheckDrain',
    plan: undefined,
    state: undefined,
    mode: undefined,
    executionId: undefined,
    env: {},
    port: async () => ({ connection }),
    onClose: (close: () => Promise<void>) => closers.push(close),
  } as unknown as AwsInvocation;
  return { inv, close: async () => void (await Promise.allSettled(closers.map((c) => c()))) };
}

describe("CheckDrain's producerActivity port", () => {
  it('is built without loading @platformatic/kafka, and closes nothing it did not open', async () => {
    // Act
    const { inv, close } = invocation();
    const port = (await producerActivity(inv)) as ProducerActivity;
    await close();

    // Assess
    expect(typeof port.describeProducers).toBe('function');
    expect(mockAdapter).toEqual({ loaded: 0, built: [], described: [], closed: 0 });
  });

  it("loads the adapter on the first ask, for the source's connection, once, and closes it after the invocation", async () => {
    // Prepare
    const { inv, close } = invocation();
    const port = (await producerActivity(inv)) as ProducerActivity;

    // Act
    const first = await port.describeProducers([{ topic: 'orders', partition: 0 }]);
    await port.describeProducers([{ topic: 'orders', partition: 1 }]);
    await close();

    // Assess
    expect(first).toEqual([{ topic: 'orders', partition: 0, producers: [] }]);
    expect(mockAdapter).toEqual({
      loaded: 1,
      built: [connection],
      described: [[{ topic: 'orders', partition: 0 }], [{ topic: 'orders', partition: 1 }]],
      closed: 1,
    });
  });
});
