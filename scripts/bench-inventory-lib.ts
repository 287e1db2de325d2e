/**
 * The pure parts of `npm run bench:inventory` (scripts/bench-inventory.ts): the progress bar, counting what the Kafka
 * CLI tools printed (so that a CLI run that saw less than the cluster holds is noticed, not timed as a win), picking
 * the tools' main classes for the Kafka version at hand, and the result as a table and as JSON.
 */

/** `topics [##########··········]  1,000/2,000  50%` on one line. */
export function progressBar(label: string, done: number, total: number, width = 30): string {
  const ratio = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
  const filled = Math.round(ratio * width);
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${label.padEnd(8)} [${'#'.repeat(filled)}${'·'.repeat(width - filled)}] ${fmt(done)}/${fmt(total)} ${pct}`;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** A line-by-line reducer over a CLI's stdout: fed as it streams, so the bench never buffers megabytes of output. */
export interface OutputCounter<T> {
  line(text: string): void;
  result(): T;
}

/** Splits streamed chunks into lines for a counter (the last partial line waits for the next chunk or `end`). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    end() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/**
 * `kafka-topics --describe`: one summary line per topic (`Topic: t\tTopicId: …\tPartitionCount: 5\t…`), then one
 * indented line per partition (`\tTopic: t\tPartition: 0\tLeader: 1\t…`).
 */
export function topicDescribeCounter(): OutputCounter<{ topics: number; partitions: number }> {
  let topics = 0;
  let partitions = 0;
  return {
    line(text) {
      if (/^\s*Topic:\s*\S+\s+Partition:\s*\d+/.test(text)) partitions++;
      else if (/^Topic:\s*\S+\s+(TopicId:|PartitionCount:)/.test(text)) topics++;
    },
    result: () => ({ topics, partitions }),
  };
}

/** `kafka-configs --describe --all --entity-type topics`: `All configs for topic t are:` then `  name=value …` lines. */
export function configDescribeCounter(): OutputCounter<{ topics: number; configs: number }> {
  let topics = 0;
  let configs = 0;
  return {
    line(text) {
      if (/^All configs for topic \S+ are:/.test(text)) topics++;
      else if (topics > 0 && /^\s+[a-z0-9.]+=/.test(text)) configs++;
    },
    result: () => ({ topics, configs }),
  };
}

/**
 * `kafka-consumer-groups --describe --all-groups`: per group a header (`GROUP  TOPIC  PARTITION  CURRENT-OFFSET …`)
 * and one row per partition with a committed offset; a group without members is announced by
 * `Consumer group 'g' has no active members.` before its table.
 */
export function groupDescribeCounter(): OutputCounter<{ groups: number; offsets: number }> {
  const groups = new Set<string>();
  let offsets = 0;
  let inTable = false;
  return {
    line(text) {
      const trimmed = text.trim();
      if (trimmed === '') {
        inTable = false;
        return;
      }
      if (/^GROUP\s+TOPIC\s+PARTITION/.test(trimmed)) {
        inTable = true;
        return;
      }
      const quoted = /^Consumer group '([^']+)'/.exec(trimmed);
      if (quoted?.[1]) {
        groups.add(quoted[1]);
        return;
      }
      if (!inTable) return;
      const [group, , partition] = trimmed.split(/\s+/);
      if (group && partition && /^\d+$/.test(partition)) {
        groups.add(group);
        offsets++;
      }
    },
    result: () => ({ groups: groups.size, offsets }),
  };
}

/** The CLI tools of the bench, each with the main classes it has had across Kafka versions (newest first). */
export const CLI_TOOLS = {
  'kafka-topics --describe': ['org.apache.kafka.tools.TopicCommand', 'kafka.admin.TopicCommand'],
  'kafka-configs --describe --all --entity-type topics': [
    'org.apache.kafka.tools.ConfigCommand',
    'kafka.admin.ConfigCommand',
  ],
  'kafka-consumer-groups --describe --all-groups': [
    'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
    'kafka.admin.ConsumerGroupCommand',
  ],
} as const;
export type CliTool = keyof typeof CLI_TOOLS;

/** The first candidate whose class file is among the jar entries (`org/apache/kafka/tools/TopicCommand.class`). */
export function pickMainClass(candidates: readonly string[], jarEntries: ReadonlySet<string>): string | undefined {
  return candidates.find((c) => jarEntries.has(`${c.replace(/\./g, '/')}.class`));
}

export interface CliRun {
  readonly command: CliTool;
  readonly mainClass: string;
  readonly seconds: number;
  /** What it printed, counted: topics and partitions, topics and config lines, groups and offset rows. */
  readonly saw: Readonly<Record<string, number>>;
}

export interface BenchResult {
  readonly kafkaVersion: string;
  readonly topics: number;
  readonly partitions: number;
  readonly groups: number;
  /** takeInventory, from the call to the artifact written (our process already started, clients not connected). */
  readonly oursSeconds: number;
  /** The inventory's child process from spawn to exit: Node start-up and module loading included. */
  readonly oursProcessSeconds: number;
  /** The sum of the three CLI commands, each a fresh JVM as an operator runs it. */
  readonly cliSeconds: number;
  readonly cli: Readonly<Record<string, number>>;
  /** The inventory process's peak resident set (VmHWM). */
  readonly peakRssMb: number;
  readonly ratio: number;
  readonly goals: { readonly timeRatio: number; readonly peakRssMb: number; readonly met: boolean };
  readonly inventory: Readonly<Record<string, number | boolean>>;
  readonly cliRuns: readonly CliRun[];
}

export const GOALS = { timeRatio: 0.5, peakRssMb: 512 } as const;

export function benchResult(args: {
  kafkaVersion: string;
  topics: number;
  partitions: number;
  groups: number;
  oursSeconds: number;
  oursProcessSeconds: number;
  peakRssMb: number;
  inventory: Readonly<Record<string, number | boolean>>;
  cliRuns: readonly CliRun[];
}): BenchResult {
  const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
  const cliSeconds = args.cliRuns.reduce((s, r) => s + r.seconds, 0);
  const ratio = cliSeconds > 0 ? args.oursSeconds / cliSeconds : Number.POSITIVE_INFINITY;
  return {
    kafkaVersion: args.kafkaVersion,
    topics: args.topics,
    partitions: args.partitions,
    groups: args.groups,
    oursSeconds: round(args.oursSeconds),
    oursProcessSeconds: round(args.oursProcessSeconds),
    cliSeconds: round(cliSeconds),
    cli: Object.fromEntries(args.cliRuns.map((r) => [r.command, round(r.seconds)])),
    peakRssMb: round(args.peakRssMb, 1),
    ratio: round(ratio, 3),
    goals: {
      ...GOALS,
      met: ratio <= GOALS.timeRatio && args.peakRssMb <= GOALS.peakRssMb,
    },
    inventory: args.inventory,
    cliRuns: args.cliRuns,
  };
}

/** The result as a person reads it: the cluster, each timing, the ratio and the goals. */
export function formatBenchTable(r: BenchResult): string {
  const rows: Array<[string, string]> = [
    ['Kafka', r.kafkaVersion],
    ['Topics / partitions / consumer groups', `${fmt(r.topics)} / ${fmt(r.partitions)} / ${fmt(r.groups)}`],
    ['Ours: takeInventory (data plane, kafkajs)', `${r.oursSeconds.toFixed(2)} s`],
    ['Ours: whole process (Node start-up included)', `${r.oursProcessSeconds.toFixed(2)} s`],
    ...r.cliRuns.map((c): [string, string] => [
      `CLI: ${c.command}`,
      `${c.seconds.toFixed(2)} s (${Object.entries(c.saw)
        .map(([k, v]) => `${fmt(v)} ${k}`)
        .join(', ')})`,
    ]),
    ['CLI total', `${r.cliSeconds.toFixed(2)} s`],
    [
      'Ours / CLI',
      `${r.ratio.toFixed(3)}× (goal ≤ ${r.goals.timeRatio}×: ${r.ratio <= r.goals.timeRatio ? 'met' : 'NOT met'})`,
    ],
    [
      'Peak RSS of ours',
      `${r.peakRssMb.toFixed(1)} MB (goal ≤ ${r.goals.peakRssMb} MB: ${r.peakRssMb <= r.goals.peakRssMb ? 'met' : 'NOT met'})`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** The JSON the issue asks for, first the named fields, then the per-command and inventory details. */
export function benchJson(r: BenchResult): string {
  return JSON.stringify(r, null, 2);
}
