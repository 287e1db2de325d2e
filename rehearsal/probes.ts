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
  const lag = startLagSampler(env, o, teardown);
  const latency = latencyReader(env, o, teardown);
  return {
    observations: o,
    async beforeState(state) {
      if (state === 'EvaluateCatchUp') {
        lag.on();
        await latency.read();
      }
      if (state === 'ValidateTarget') await latency.stop();
    },
    afterState(state, out) {
      const now = new Date().toISOString();
      if (state === 'EvaluateCatchUp') recordCatchUpCheck(o, out, now, log);
      if (state === 'ValidateTarget') recordValidation(o, out, now, log);
      const switched = switchOf(state, out);
      if (switched) {
        o.switchedAt = (switched['switchedAt'] as string | undefined) ?? now;
        lag.off();
        log(`switched: the pointer names the target since ${o.switchedAt}`);
      }
      if (state === 'CheckTargetHealth') recordTargetHealth(o, out, now, log);
      if (state === 'RollbackCutover') o.figures['rollbackCutover'] = out;
    },
    failedState(state, err) {
      const gate = GATE_OF[state];
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
      lag.off();
      await latency.stop();
    },
  };
}

/** The gate each gate-evaluating state stands for (a failed evaluation is a failed check of it). */
const GATE_OF: Readonly<Record<string, string>> = {
  EvaluateCatchUp: 'catch-up',
  ValidateTarget: 'validation',
  CheckTargetHealth: 'target-health',
};

/** The lag between the clusters over the workload's topics, sampled every second while it is on (one at a time). */
function startLagSampler(env: RehearsalEnvironment, o: Observations, teardown: Teardown): { on(): void; off(): void } {
  const { probeSource, probeTarget, workloadTopics } = env;
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
  return {
    on: () => {
      samplingOn = true;
    },
    off: () => {
      samplingOn = false;
    },
  };
}

/**
 * The replication latency, read on the target during catch-up: `read` starts the reader once the workload's topics
 * are on the target (again after a `stop`), `stop` ends it (validation onwards, or the execution's end).
 */
function latencyReader(
  env: RehearsalEnvironment,
  o: Observations,
  teardown: Teardown,
): { read(): Promise<void>; stop(): Promise<void> } {
  const { probeTarget, workloadTopics } = env;
  let reader: Consumer | undefined;
  let since = 0;
  let reading = false;
  const start = async (): Promise<void> => {
    if (reader) return;
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
    reader = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...workloadTopics], fromBeginning: false });
    since = Date.now();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const created = Number(message.timestamp);
        if (created >= since && reading) o.latencies.push(Math.max(0, Date.now() - created));
      },
    });
  };
  const stop = async (): Promise<void> => {
    reading = false;
    const c = reader;
    reader = undefined;
    await c?.disconnect().catch(() => undefined);
  };
  teardown.add('latency reader', stop);
  return {
    read: async () => {
      reading = true;
      await start().catch(() => undefined);
    },
    stop,
  };
}

type Log = (line: string) => void;

/** EvaluateCatchUp's evaluation as a catch-up gate check (healthy or not, how many in a row, the last lag seen). */
function recordCatchUpCheck(o: Observations, out: Readonly<Record<string, unknown>>, now: string, log: Log): void {
  const passed = out['passed'] === true;
  const healthy = out['lastHealthy'] === true;
  const reasons = (out['lastReasons'] as string[] | undefined) ?? [];
  const summary = `${healthy ? 'healthy' : 'unhealthy'}, ${String(out['consecutiveHealthy'])} in a row${passed ? ': caught up' : ''}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}${o.lastLag !== undefined ? `; lag ${o.lastLag} records` : ''}`;
  o.gateChecks.push({ at: now, gate: 'catch-up', passed: healthy, summary: summary.slice(0, 500) });
  log(`gate catch-up #${String(out['evaluations'])}: ${summary.slice(0, 300)}`);
}

/** ValidateTarget's pass, with what it checked. */
function recordValidation(o: Observations, out: Readonly<Record<string, unknown>>, now: string, log: Log): void {
  const checked = out['checked'] as Record<string, number> | undefined;
  const summary = checked
    ? Object.entries(checked)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')
    : 'passed';
  o.gateChecks.push({ at: now, gate: 'validation', passed: true, summary });
  log(`gate validation: passed (${summary})`);
}

/** The switch: SwitchToTarget's output, or the one-invocation Cutover's switch when it got that far. */
function switchOf(
  state: string,
  out: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> | undefined {
  if (state === 'SwitchToTarget') return out;
  if (state === 'Cutover' && (out['oneInvocation'] as { reached?: string } | undefined)?.reached === 'SWITCHED')
    return out['switch'] as Record<string, unknown> | undefined;
  return undefined;
}

/** CheckTargetHealth's look in the rollback window, and when the window ends. */
function recordTargetHealth(o: Observations, out: Readonly<Record<string, unknown>>, now: string, log: Log): void {
  o.windowEndsAt = (out['windowEndsAt'] as string | undefined) ?? o.windowEndsAt;
  const healthy = out['healthy'] === true;
  const reasons = (out['reasons'] as string[] | undefined) ?? [];
  const summary = `${healthy ? 'healthy' : 'unhealthy'}${reasons.length > 0 ? ` (${reasons.slice(0, 2).join('; ')})` : ''}, window ends ${String(out['windowEndsAt'])}`;
  o.gateChecks.push({ at: now, gate: 'target-health', passed: healthy, summary: summary.slice(0, 500) });
  log(`gate target-health: ${summary.slice(0, 300)}`);
}
