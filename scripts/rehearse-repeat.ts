import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Command, Option } from 'commander';
import { runRehearsal } from '../rehearsal/run-rehearsal';
import { SCENARIOS, isScenario, type ScenarioName } from '../rehearsal/scenarios';

/**
 * `npm run rehearse:repeat -- --scenario replicator-crash --runs 5 [--append runs.jsonl]`: the rehearsal of one
 * scenario N times on fresh clusters (auto-approved), one line per run (as defined or not, records lost, duplicates
 * the replicator left on the target as validation counted them, records consumed twice), then the tally. With
 * `--append`, each run is also appended to a JSON-lines file and the tally covers every run of the scenario in it, so
 * that runs made in batches (each under `flock /tmp/kafka.lock`, releasing the brokers between them) add up.
 * Exit 0 when every run of this invocation ended as defined.
 */

interface RunLine {
  readonly scenario: string;
  readonly at: string;
  readonly kafkaVersion: string;
  readonly matched: boolean;
  readonly outcome: string;
  readonly finalState: string;
  readonly produced: number;
  readonly lost: number;
  readonly duplicatesConsumed: number;
  /** Records present twice on the target, as ValidateTarget counted them (replayed ranges). */
  readonly targetDuplicates: number | null;
  readonly kills: number;
  /** The compensator's outcome, when the execution ended other than SUCCEEDED (EventBridge's delivery). */
  readonly compensation?: string;
  /** The producers' longest write pause (a fence and its release, or a switch), ms. */
  readonly longestWritePauseMs?: number | null;
  /** Sends acknowledged after the end (and the compensator), within the rehearsal's wait. */
  readonly writesAfterEnd?: number;
  readonly mismatches: readonly string[];
  readonly durationS: number;
  readonly rollbackWindowMinutes: number;
  readonly load: number;
  /** With --unaware-clients: the unaware applications' records and write pause (ms). */
  readonly unaware?: { readonly produced: number; readonly lost: number; readonly writePauseMs: number | null };
}

const program = new Command('rehearse:repeat')
  .addOption(new Option('--scenario <name>', 'the scenario').choices(SCENARIOS).default('replicator-crash'))
  .option('--runs <n>', 'how many runs', '5')
  .option('--append <file>', 'JSON-lines file the runs are appended to; the tally covers all of them')
  .option('--kafka-version <v>', 'Kafka version or line of both clusters')
  .option('--unaware-clients', 'also run the migration-unaware producer and consumer (whatever the scenario)')
  .option('--rollback-window <minutes>', 'rollback window of each run (0: the first healthy check closes it)', '1');

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

function tally(scenario: string, lines: readonly RunLine[]): string[] {
  const ok = lines.filter((l) => l.matched).length;
  const dups = lines.map((l) => l.targetDuplicates ?? 0);
  const lost = lines.reduce((n, l) => n + l.lost, 0);
  const consumed = lines.map((l) => l.duplicatesConsumed);
  const held = lines.map((l) => l.longestWritePauseMs).filter((v): v is number => typeof v === 'number');
  const compensations = [...new Set(lines.map((l) => l.compensation).filter((c) => c !== undefined))];
  return [
    `${scenario}: ${ok}/${lines.length} runs as defined; records lost ${lost} in total (${lines.filter((l) => l.lost > 0).length} runs with a loss)`,
    `duplicates on the target (validation): min ${Math.min(...dups)}, median ${median(dups)}, max ${Math.max(...dups)}, in ${dups.filter((d) => d > 0).length}/${lines.length} runs`,
    `records consumed twice: min ${Math.min(...consumed)}, median ${median(consumed)}, max ${Math.max(...consumed)}`,
    `longest write pause (ms): ${held.length > 0 ? `min ${Math.min(...held)}, median ${median(held)}, max ${Math.max(...held)}` : 'none'}; compensator: ${compensations.join(', ') || 'not run'}`,
    `| ${scenario} | ${ok}/${lines.length} | ${lost} | ${Math.min(...dups)}–${Math.max(...dups)} (median ${median(dups)}) | ${Math.min(...consumed)}–${Math.max(...consumed)} |`,
  ];
}

async function main(): Promise<number> {
  program.parse(process.argv);
  const o = program.opts<{
    scenario: string;
    runs: string;
    append?: string;
    kafkaVersion?: string;
    rollbackWindow: string;
    unawareClients?: boolean;
  }>();
  if (!isScenario(o.scenario)) return 2;
  const runs = Number(o.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    process.stderr.write('--runs: expected a whole number from 1 to 50\n');
    return 2;
  }
  const lines: RunLine[] = [];
  for (let i = 1; i <= runs; i++) {
    const began = Date.now();
    process.stderr.write(`rehearse:repeat ${o.scenario} run ${i}/${runs} (load ${loadavg()[0]?.toFixed(2)})…\n`);
    const run = await runRehearsal({
      scenario: o.scenario as ScenarioName,
      autoApprove: true,
      rollbackWindowMinutes: Number(o.rollbackWindow),
      reportDir: `rehearsal-report/repeat-${o.scenario}-${i}`,
      ...(o.kafkaVersion ? { kafkaVersion: o.kafkaVersion } : {}),
      ...(o.unawareClients ? { unawareClients: true } : {}),
      progress: (line) => {
        if (/FAULT|restarted|execution |gate validation|failed:|unaware applications:/.test(line))
          process.stderr.write(`  ${line}\n`);
      },
    });
    const r = run.result;
    const dup = run.figures['targetDuplicates'] as { records?: number } | undefined;
    const unaware = run.figures['unaware'] as
      { produced: number; lost: number; writePauseMs: number | null } | undefined;
    const crash = run.figures['replicatorKills'] ?? (run.figures['replicatorCrash'] ? 1 : 0);
    const compensation = run.figures['compensation'] as { outcome?: string } | undefined;
    const pauses = run.cutover.writePauses.map((p) => p.pauseMs);
    const line: RunLine = {
      scenario: o.scenario,
      at: new Date(began).toISOString(),
      kafkaVersion: o.kafkaVersion ?? 'latest',
      matched: run.matched,
      outcome: r.outcome,
      finalState: r.finalState,
      produced: r.records.produced,
      lost: r.records.lost,
      duplicatesConsumed: r.records.duplicatesConsumed,
      targetDuplicates: dup?.records ?? null,
      kills: Number(crash),
      ...(compensation?.outcome ? { compensation: compensation.outcome } : {}),
      longestWritePauseMs: pauses.length > 0 ? Math.max(...pauses) : null,
      writesAfterEnd: Number(run.figures['writesAfterEnd'] ?? 0),
      mismatches: run.mismatches,
      durationS: Math.round((Date.now() - began) / 1000),
      rollbackWindowMinutes: Number(o.rollbackWindow),
      load: Number(loadavg()[0]?.toFixed(2)),
      ...(unaware
        ? { unaware: { produced: unaware.produced, lost: unaware.lost, writePauseMs: unaware.writePauseMs } }
        : {}),
    };
    lines.push(line);
    if (o.append) appendFileSync(o.append, `${JSON.stringify(line)}\n`);
    process.stdout.write(
      `run ${i}/${runs}: ${line.matched ? 'as defined' : 'NOT as defined'} — ${line.outcome} in ${line.finalState}; lost ${line.lost} of ${line.produced}; ` +
        `duplicates on the target ${line.targetDuplicates ?? '—'}; consumed twice ${line.duplicatesConsumed}; kills ${line.kills}; ` +
        `${line.compensation ? `compensator ${line.compensation}; ` : ''}longest write pause ${line.longestWritePauseMs ?? '—'} ms; writes after the end ${line.writesAfterEnd}; ${line.durationS} s` +
        (line.unaware
          ? `; unaware: lost ${line.unaware.lost} of ${line.unaware.produced}, write pause ${line.unaware.writePauseMs ?? '—'} ms`
          : '') +
        `${line.mismatches.length > 0 ? `; ${line.mismatches.join('; ')}` : ''}\n`,
    );
  }
  const all =
    o.append && existsSync(o.append)
      ? readFileSync(o.append, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as RunLine)
          .filter((l) => l.scenario === o.scenario)
      : lines;
  for (const l of tally(o.scenario, all)) process.stdout.write(`${l}\n`);
  return lines.every((l) => l.matched) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rehearse:repeat failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
