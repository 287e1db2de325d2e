import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { RehearsalEnvironment, Teardown } from './environment';
import type { GateCheck, LagSample } from './report';

/**
 * What the rehearsal observes while the execution runs, whatever the scenario: the lag between the clusters (sampled
 * every second during catch-up), the replication latency (a reader on the TARGET during catch-up), and every gate
 * evaluation the Task states return (catch-up, validation, target health), with the switch time and the window's end.
 *
 * Replication latency (`replication.latencyP99Ms`): for each record produced after the reader started, latency = the
 * time the reader got it − the record's timestamp (CreateTime set by the workload's producer on the source, kept by
 * MirrorMaker 2). It is source-produce → target-consumable, including one consumer fetch (≤ 100 ms), on one clock.
 */

const LATENCY_GROUP = 'rehearsal-latency-probe';

export interface Observations {
  readonly gateChecks: GateCheck[];
  readonly lagSamples: LagSample[];
  /** Replication latencies in ms, in arrival order. */
  readonly latencies: number[];
  switchedAt: string | null;
  windowEndsAt: string | null;
  lastLag: number | undefined;
  /** Extra figures the report's schema has no field for. */
  readonly figures: Record<string, unknown>;
}

export interface Probes {
  readonly observations: Observations;
  beforeState(state: string): Promise<void>;
  afterState(state: string, output: Readonly<Record<string, unknown>>): void;
  failedState(state: string, err: Error): void;
  /** Ends sampling and the latency reader (the execution ended). */
  stop(): Promise<void>;
}

/** Observations before any probe has run: nothing seen yet. */
export function noObservations(): Observations {
  return {
    gateChecks: [],
    lagSamples: [],
    latencies: [],
    switchedAt: null,
    windowEndsAt: null,
    lastLag: undefined,
    figures: {},
  };
}

export function startProbes(env: RehearsalEnvironment, teardown: Teardown, log: (line: string) => void): Probes {
  const o = noObservations();
  const { probeSource, probeTarget, workloadTopics } = env;

  // ---- lag between the clusters, every second while sampling is on ----
  const sampleLag = async (): Promise<void> => {
    let lag = 0;
    for (const topic of workloadTopics) {
      const [s, t] = await Promise.all([
        probeSource.fetchTopicOffsets(topic),
        probeTarget.fetchTopicOffsets(topic).catch(() => []),
      ]);
      for (const p of s) {
        const copied = t.find((x) => x.partition === p.partition);
        lag += Math.max(0, Number(BigInt(p.high) - BigInt(copied?.high ?? '0')));
      }
    }
    o.lastLag = lag;
    o.lagSamples.push({ at: new Date().toISOString(), lag });
  };
  let samplingOn = false;
  let sampleBusy = false;
  const lagTimer = setInterval(() => {
    if (!samplingOn || sampleBusy) return;
    sampleBusy = true;
    void sampleLag()
      .catch(() => undefined)
      .finally(() => {
        sampleBusy = false;
      });
  }, 1_000);
  teardown.add('lag sampler', () => clearInterval(lagTimer));

  // ---- replication latency, read on the target during catch-up ----
  let latencyReader: Consumer | undefined;
  let latencySince = 0;
  let latencyReading = false;
  const startLatencyReader = async (): Promise<void> => {
    if (latencyReader) return;
    const present = new Set(await probeTarget.listTopics());
    if (!workloadTopics.every((t) => present.has(t))) return;
    const kafka = new Kafka({
      clientId: 'rehearsal-latency',
      brokers: [env.target.bootstrap as string],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({
      groupId: LATENCY_GROUP,
      maxWaitTimeInMs: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    latencyReader = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...workloadTopics], fromBeginning: false });
    latencySince = Date.now();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const created = Number(message.timestamp);
        if (created >= latencySince && latencyReading) o.latencies.push(Math.max(0, Date.now() - created));
      },
    });
  };
  const stopLatencyReader = async (): Promise<void> => {
    latencyReading = false;
    const c = latencyReader;
    latencyReader = undefined;
    await c?.disconnect().catch(() => undefined);
  };
  teardown.add('latency reader', stopLatencyReader);

  const gateOf: Readonly<Record<string, string>> = {
    EvaluateCatchUp: 'catch-up',
    ValidateTarget: 'validation',
    CheckTargetHealth: 'target-health',
  };

  return {
    observations: o,
    async beforeState(state) {
      if (state === 'EvaluateCatchUp') {
        samplingOn = true;
        if (!latencyReading) {
          latencyReading = true;
          await startLatencyReader().catch(() => undefined);
        } else if (!latencyReader) await startLatencyReader().catch(() => undefined);
      }
      if (state === 'ValidateTarget') await stopLatencyReader();
    },
    afterState(state, out) {
      const now = new Date().toISOString();
      if (state === 'EvaluateCatchUp') {
        const passed = out['passed'] === true;
        const healthy = out['lastHealthy'] === true;
        const reasons = (out['lastReasons'] as string[] | undefined) ?? [];
        const summary = `${healthy ? 'healthy' : 'unhealthy'}, ${String(out['consecutiveHealthy'])} in a row${passed ? ': caught up' : ''}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}${o.lastLag !== undefined ? `; lag ${o.lastLag} records` : ''}`;
        o.gateChecks.push({ at: now, gate: 'catch-up', passed: healthy, summary: summary.slice(0, 500) });
        log(`gate catch-up #${String(out['evaluations'])}: ${summary.slice(0, 300)}`);
      }
      if (state === 'ValidateTarget') {
        const checked = out['checked'] as Record<string, number> | undefined;
        const summary = checked
          ? Object.entries(checked)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')
          : 'passed';
        o.gateChecks.push({ at: now, gate: 'validation', passed: true, summary });
        log(`gate validation: passed (${summary})`);
      }
      // The switch: SwitchToTarget's, or the one-invocation Cutover's when it got that far.
      const switched =
        state === 'SwitchToTarget'
          ? out
          : state === 'Cutover' && (out['oneInvocation'] as { reached?: string } | undefined)?.reached === 'SWITCHED'
            ? (out['switch'] as Record<string, unknown> | undefined)
            : undefined;
      if (switched) {
        o.switchedAt = (switched['switchedAt'] as string | undefined) ?? now;
        samplingOn = false;
        log(`switched: the pointer names the target since ${o.switchedAt}`);
      }
      if (state === 'CheckTargetHealth') {
        o.windowEndsAt = (out['windowEndsAt'] as string | undefined) ?? o.windowEndsAt;
        const healthy = out['healthy'] === true;
        const reasons = (out['reasons'] as string[] | undefined) ?? [];
        const summary = `${healthy ? 'healthy' : 'unhealthy'}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}, window ends ${String(out['windowEndsAt'])}`;
        o.gateChecks.push({ at: now, gate: 'target-health', passed: healthy, summary: summary.slice(0, 500) });
        log(`gate target-health: ${summary.slice(0, 300)}`);
      }
      if (state === 'RollbackCutover') o.figures['rollbackCutover'] = out;
    },
    failedState(state, err) {
      const gate = gateOf[state];
      if (gate)
        o.gateChecks.push({
          at: new Date().toISOString(),
          gate,
          passed: false,
          summary: `${err.name}: ${err.message}`.slice(0, 500),
        });
      log(`${state} failed: ${err.name}: ${err.message.slice(0, 300)}`);
    },
    async stop() {
      samplingOn = false;
      await stopLatencyReader();
    },
  };
}
