import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { readPointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { isFenced } from '../../lambdas/core/cutover/model';

/** A consumer of the integration tests that finds its cluster through a pointer file. */
export interface PointerConsumer {
  /** The `seq` of every record it read, in order (a record read twice is here twice). */
  readonly consumed: number[];
  /** Ends the loop and leaves the group. */
  stop(): Promise<void>;
}

/**
 * A consumer that reads where the pointer file names, as the rehearsal's workload does: every 100 ms it looks at the
 * pointer; on the fence or a new cluster it leaves its group (its offsets are committed per record) and joins `groupId`
 * where the pointer says, from the committed offsets (the earliest record without). `knows` says which values name a
 * cluster it may join.
 */
export function startPointerConsumer(a: {
  readonly pointerFile: string;
  readonly clientId: string;
  readonly groupId: string;
  readonly topic: string;
  readonly knows: (value: string) => boolean;
}): PointerConsumer {
  const consumed: number[] = [];
  let consuming = true;
  let consumer: Consumer | undefined;
  let consumerOn: string | undefined;
  const loop = (async () => {
    while (consuming) {
      const value = readPointerFile(a.pointerFile)?.value;
      const wanted = value !== undefined && !isFenced(value) && a.knows(value) ? value : undefined;
      if (wanted !== consumerOn) {
        // The fence or a new cluster: commit (done per record) and leave, then join where the pointer says.
        await consumer?.disconnect();
        consumer = undefined;
        consumerOn = wanted;
        if (wanted) {
          const c = new Kafka({ clientId: a.clientId, brokers: [wanted], logLevel: logLevel.NOTHING }).consumer({
            groupId: a.groupId,
            maxWaitTimeInMs: 100,
            sessionTimeout: 10_000,
            heartbeatInterval: 1_000,
          });
          await c.connect();
          await c.subscribe({ topic: a.topic, fromBeginning: true });
          await c.run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              consumed.push((JSON.parse(String(message.value)) as { seq: number }).seq);
              await c.commitOffsets([{ topic: a.topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
            },
          });
          consumer = c;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await consumer?.disconnect();
  })();
  return {
    consumed,
    stop: async () => {
      consuming = false;
      await loop;
    },
  };
}
