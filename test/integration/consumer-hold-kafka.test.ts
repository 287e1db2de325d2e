import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { holdConsumerSwitches } from '../../lambdas/core/cutover/client-switches';
import { commitConsumerOffsets, type CommitProgress } from '../../lambdas/core/cutover/commit-consumer-offsets';
import type { ClientSwitchSpec } from '../../lambdas/core/plan/migration-plan';
import type { ClientSwitch, SwitchStep } from '../../lambdas/ports/client-switch';
import { pollUntil } from '../../rehearsal/kafka/mirror-maker';
import { MemoryArtifacts } from '../unit/validation-fake-kafka';
import type { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import { fenceAndDrain, useTwoClusters } from './two-clusters';

/**
 * CommitConsumerOffsets holding a consumer no fence stops (what a Lambda event source mapping or a sink connector is),
 * on real brokers: a plain kafkajs consumer of the source, migration-unaware, stands for the mapping's pollers; the
 * switch's `hold` stands for disabling the mapping. holdConsumerSwitches reads the group's committed offsets against
 * the source's end offsets from the brokers, holds it at the end (or after the catch-up time), and the translation
 * then runs with the brokers' view of the group, a stopped member still in it or not.
 */
jest.setTimeout(240_000);

const TOPIC = 'orders';
const GROUP = 'billing';
const RECORDS = 300;
const record = (i: number) => ({ key: `k${i}`, value: `order-${i}`, partition: 0 });
const SPEC: ClientSwitchSpec = {
  type: 'LAMBDA_EVENT_SOURCE_MAPPING',
  name: 'billing',
  role: 'CONSUMERS',
  uuid: '0b6f3a52-1c4e-4d1a-9a57-3f0c2f6d0a01',
};

/** The mapping as the hold sees it: its group, and a hold that stops the consumer (or, `linger`, leaves it a member). */
class ConsumerHold implements ClientSwitch<{ group: string }> {
  readonly kind = 'LAMBDA_EVENT_SOURCE_MAPPING';
  readonly subject = 'lambda-esm:it';
  readonly role = 'CONSUMERS' as const;
  heldAt?: number;

  constructor(
    private readonly consumer: Consumer,
    private readonly group: string,
    private readonly linger: boolean,
  ) {}

  async record() {
    return { group: this.group };
  }
  consumerGroup(recorded: { group: string }) {
    return recorded.group;
  }
  async hold(): Promise<SwitchStep> {
    if (this.heldAt === undefined) {
      this.heldAt = Date.now();
      if (!this.linger) await this.consumer.disconnect();
    }
    return { complete: true, step: this.linger ? 'SOURCE_MAPPING_DISABLED' : 'CONSUMER_STOPPED' };
  }
  async stop(): Promise<SwitchStep> {
    return { complete: true, step: 'NOTHING_TO_STOP' };
  }
  async switchToTarget(): Promise<SwitchStep> {
    return { complete: true, step: 'UNUSED' };
  }
  async revert(): Promise<SwitchStep> {
    return { complete: true, step: 'UNUSED' };
  }
}

describe('consumers held at the source end by CommitConsumerOffsets, on real brokers', () => {
  const k = useTwoClusters('consumer-hold-');
  let run = 0;

  /** A topic of RECORDS records on both sides (replicated as is), a consumer of the source, the fence and the drain. */
  async function cutoverUpToOffsets(options: { readAtMost: number }) {
    run += 1;
    const topic = `${TOPIC}-${run}`;
    const identity = { migrationId: 'consumer-hold-it', executionName: `exec-${run}` };
    for (const plane of [k.sourcePlane, k.targetPlane]) {
      await plane.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
      await plane.produce(
        topic,
        Array.from({ length: RECORDS }, (_, i) => record(i)),
      );
    }
    const kafka = new Kafka({
      clientId: 'billing-poller',
      brokers: [k.source.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `${GROUP}-${run}` });
    let read = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 100,
      eachMessage: async () => {
        read += 1;
        if (read === options.readAtMost) consumer.pause([{ topic }]);
      },
    });
    const artifacts = new MemoryArtifacts();
    const now = () => new Date();
    const { fence, drain } = await fenceAndDrain(k, {
      identity,
      topics: [topic],
      pointerName: `pointer-${run}.json`,
      artifacts,
      now,
    });
    return { topic, identity, consumer, fence, drain, artifacts, now, group: `${GROUP}-${run}` };
  }

  /** holdConsumerSwitches then CommitConsumerOffsets, polled as the task does, until complete. */
  async function offsetsWithHold(
    c: Awaited<ReturnType<typeof cutoverUpToOffsets>>,
    hold: ConsumerHold,
    catchUpSeconds: number,
  ) {
    let last: { held: Awaited<ReturnType<typeof holdConsumerSwitches>>; progress: CommitProgress } | undefined;
    return pollUntil(
      'the offsets',
      async () => {
        const held = await holdConsumerSwitches(
          { identity: c.identity, switches: [SPEC], timeoutMinutes: 5, topics: [c.topic], catchUpSeconds },
          { clientSwitches: () => hold, artifacts: c.artifacts, now: c.now, source: k.sourcePlane },
        );
        const progress = await commitConsumerOffsets(
          {
            identity: c.identity,
            topics: [c.topic],
            consumerGroups: { include: [c.group], exclude: [] },
            fence: c.fence,
            drain: c.drain,
            heldGroups: held.heldGroups,
            holdingGroups: held.holdingGroups,
          },
          { source: k.sourcePlane, target: k.targetPlane, artifacts: c.artifacts, now: c.now },
        );
        last = { held, progress };
        return progress.complete ? last : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  const committed = async (plane: KafkajsDataPlane, group: string, topic: string) =>
    (await plane.fetchCommittedOffsets(group, [topic])).map((o) => o.offset);
  const journalOf = (c: Awaited<ReturnType<typeof cutoverUpToOffsets>>) =>
    c.artifacts.getJson<{ heldBehind?: number }>(
      `migrations/${c.identity.migrationId}/${c.identity.executionName}/cutover/journal/client-switch-billing.json`,
    );

  it('holds the consumer once it has committed the source end, then translates its final offset', async () => {
    // Prepare
    const c = await cutoverUpToOffsets({ readAtMost: Number.MAX_SAFE_INTEGER });
    const hold = new ConsumerHold(c.consumer, c.group, false);
    // Act
    const { held, progress } = await offsetsWithHold(c, hold, 60);
    // Assess: held at the end (nothing left behind), no member left on the source, the target's offset is the end
    expect(held.switches[0]).toMatchObject({ complete: true, step: 'CONSUMER_STOPPED' });
    expect(await journalOf(c)).toMatchObject({ heldBehind: 0 });
    expect(await committed(k.sourcePlane, c.group, c.topic)).toEqual([String(RECORDS)]);
    expect((await k.sourcePlane.describeGroups([c.group]))[0]?.members).toEqual([]);
    expect(progress).toMatchObject({ complete: true, partitionsCommitted: 1 });
    expect(await committed(k.targetPlane, c.group, c.topic)).toEqual([String(RECORDS)]);
  });

  it('holds a consumer stuck behind after the catch-up time and translates where it stopped, its member still there', async () => {
    // Prepare: the consumer stops reading after 120 records (a failing function), and stays in its group once held
    const c = await cutoverUpToOffsets({ readAtMost: 120 });
    const hold = new ConsumerHold(c.consumer, c.group, true);
    try {
      // Act
      const { progress } = await offsetsWithHold(c, hold, 2);
      // Assess: held behind, counted; translated to its own committed offset while a member still shows on the source
      const onSource = await committed(k.sourcePlane, c.group, c.topic);
      expect(Number(onSource[0])).toBeLessThan(RECORDS);
      expect(await journalOf(c)).toMatchObject({ heldBehind: RECORDS - Number(onSource[0]) });
      expect((await k.sourcePlane.describeGroups([c.group]))[0]?.members.length).toBeGreaterThan(0);
      expect(progress).toMatchObject({ complete: true, partitionsCommitted: 1 });
      expect(await committed(k.targetPlane, c.group, c.topic)).toEqual(onSource);
    } finally {
      await c.consumer.disconnect();
    }
  });
});
