import { Kafka, logLevel, type Producer } from 'kafkajs';
import { defineScenario } from './definition';

/** The migrated topic the rogue writes (a workload topic: the workload's consumers ignore records that are not theirs). */
const ROGUE_TOPIC = 'orders';
const ROGUE_INTERVAL_MS = 100;
const ROGUE_SETTLE_SECONDS = 0.6;

/**
 * A producer no fence or switch covers: a plain kafkajs producer (idempotent, as Kafka clients are by default since
 * 3.0) that never reads the pointer, started as the fence is taken and writing to the source every 100 ms. CheckDrain
 * sees the source move after the fence settled, names the partitions and the producer ID (DescribeProducers), and
 * fails the cutover; the rollback puts the pointer back. Every record the rogue had acknowledged is still on the
 * source (the rollback never deletes), and the workload loses nothing.
 */
export const rogueProducer = defineScenario({
  name: 'rogue-producer',
  fault: `After FenceProducers, a plain Kafka producer that does not read the pointer keeps writing "${ROGUE_TOPIC}" on the source every ${ROGUE_INTERVAL_MS} ms: the drain must refuse (Migration.CutoverFailed naming the topic, partition and producer ID) and the run roll back.`,
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.CutoverFailed',
  errorMessage: new RegExp(
    `kept writing to the source after the fence had settled.*${ROGUE_TOPIC}-\\d+ \\(\\+\\d+ record\\(s\\); producer ID \\d+`,
  ),
  // The drain refuses a move it sees after a look taken once every client must have held (the declared poll interval
  // and at least 250 ms for a send in flight, 350 ms here): that look and the settle's end must be further apart than
  // the rogue's interval for its write to fall between two looks, whatever the phase of its timer. A settle of 0.6 s
  // leaves 250 ms.
  plan: (plan) => ({ ...plan, cutover: { ...plan.cutover, fenceSettleSeconds: ROGUE_SETTLE_SECONDS } }),
  inject: (ctx) => {
    let producer: Producer | undefined;
    let timer: NodeJS.Timeout | undefined;
    let acked = 0;
    let refused = 0;
    const stop = async (): Promise<void> => {
      if (timer) clearInterval(timer);
      timer = undefined;
      const p = producer;
      producer = undefined;
      if (p) await p.disconnect().catch(() => undefined);
      ctx.figure('rogueAcknowledged', acked);
      ctx.figure('rogueRefused', refused);
    };
    const start = async (): Promise<void> => {
      if (producer) return;
      const kafka = new Kafka({
        clientId: 'rogue-producer',
        brokers: [ctx.source.bootstrap as string],
        logLevel: logLevel.NOTHING,
      });
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      ctx.log(
        `FAULT: a producer that ignores the fence writes ${ROGUE_TOPIC} on the source every ${ROGUE_INTERVAL_MS} ms`,
      );
      let n = 0;
      timer = setInterval(() => {
        const p = producer;
        if (!p) return;
        p.send({ topic: ROGUE_TOPIC, messages: [{ key: `rogue-${n % 10}`, value: `rogue ${n++}` }] }).then(
          () => acked++,
          () => refused++,
        );
      }, ROGUE_INTERVAL_MS);
    };
    return {
      // The one-invocation Cutover fences, drains and switches in one state: the rogue starts as it begins (its writes
      // before the fence are ordinary ones; those after it, past the clients' notice, are what the drain refuses).
      beforeState: async (state) => {
        if (state === 'Cutover') await start();
      },
      afterState: async (state) => {
        if (state === 'FenceProducers') await start();
        // Stopped by the rollback it causes, or by the report of a run that did not refuse it (its open connection
        // would keep the process alive).
        if (state === 'RollbackCutover' || (state.startsWith('Report') && producer)) {
          await stop();
          ctx.log(`rogue producer stopped: ${acked} record(s) acknowledged by the source, ${refused} refused`);
        }
      },
    };
  },
});
