import { Command, Option } from 'commander';
import type { RehearsalRun } from '../../rehearsal/run-rehearsal';
import { SCENARIOS, isScenario, type ScenarioName } from '../../rehearsal/scenarios';

/**
 * `msk-migrate rehearse` (and `npm run rehearse --`): a whole migration between two local Kafka clusters with the
 * ASL that runs in AWS. Exit 0 when the scenario ended in its defined state with nothing lost, 1 otherwise, 2 for a
 * wrong command line. Ctrl-C stops everything it started (brokers, MirrorMaker 2, approval server, workload) by PID.
 */

export interface RehearseOptions {
  readonly autoApprove?: boolean;
  readonly scenario?: string;
  readonly unawareClients?: boolean;
  readonly reportDir?: string;
  readonly kafkaVersion?: string;
}

export function summaryLines(run: RehearsalRun): string[] {
  const r = run.result;
  const { bound, propagation } = run.cutover;
  const settleMs = Math.round(run.cutover.settleSeconds * 1000);
  return [
    `scenario ${r.scenario}: ${r.outcome} in ${r.finalState} (defined: ${run.definition.outcome} in ${run.definition.finalState}) — ${run.matched ? 'as defined' : `NOT as defined: ${run.mismatches.join('; ')}`}`,
    `records: produced ${r.records.produced}, lost ${r.records.lost}, duplicates consumed ${r.records.duplicatesConsumed}, out of order ${r.records.outOfOrder}`,
    `cutover: write pause ${r.cutover.writePauseMs ?? '—'} ms, fence settle ${settleMs} ms (slowest client notice: fence ${propagation.fenceMs ?? '—'} ms, switch ${propagation.switchMs ?? '—'} ms); replication latency p50 ${r.replication.latencyP50Ms ?? '—'} ms, p99 ${r.replication.latencyP99Ms ?? '—'} ms${bound ? `; write pause / (2×p99 + settle) = ${bound.ratio.toFixed(2)}` : ''}`,
    `point of no return: ${r.pointOfNoReturn.passed ? `passed at ${r.pointOfNoReturn.at}` : 'not passed'}`,
    `report: ${run.files.html} (also report.json, report.md)`,
  ];
}

export async function rehearse(options: RehearseOptions): Promise<number> {
  const scenario = options.scenario ?? 'happy-path';
  if (!isScenario(scenario)) {
    process.stderr.write(`Unknown scenario "${scenario}": expected one of ${SCENARIOS.join(', ')}.\n`);
    return 2;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    process.stderr.write(
      interrupts === 1
        ? '\nCtrl-C: stopping the brokers, MirrorMaker 2, the approval server and the workload…\n'
        : '\nStill stopping; Ctrl-C again to leave now (processes may be left running).\n',
    );
    if (interrupts === 1) controller.abort();
    else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // Loaded on use: the other verbs of msk-migrate do not pay for the Kafka harness.
    const { runRehearsal } = await import('../../rehearsal/run-rehearsal');
    const run = await runRehearsal({
      scenario: scenario as ScenarioName,
      autoApprove: options.autoApprove === true,
      ...(options.reportDir ? { reportDir: options.reportDir } : {}),
      ...(options.kafkaVersion ? { kafkaVersion: options.kafkaVersion } : {}),
      ...(options.unawareClients ? { unawareClients: true } : {}),
      signal: controller.signal,
    });
    for (const line of summaryLines(run)) process.stdout.write(`${line}\n`);
    return controller.signal.aborted ? 130 : run.matched ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

export function registerRehearse(program: Command): void {
  program
    .command('rehearse')
    .description('Run a whole migration between two local Kafka clusters (the same ASL as in AWS) and write its report')
    .option('--auto-approve', 'decide every approval as the listed approver once its link is printed')
    .addOption(new Option('--scenario <name>', 'fault to inject').choices([...SCENARIOS]).default('happy-path'))
    .option('--report-dir <dir>', 'where report.json, report.md and report.html go', './rehearsal-report')
    .option('--kafka-version <version>', 'Kafka version or line of both clusters (e.g. 3 or 3.9.2); default the newest')
    .option(
      '--unaware-clients',
      'also run a producer and a consumer that read no pointer (SCRAM, KAFKA_ACL fence, LOCAL_PROCESS switches)',
    )
    .action(async (opts: RehearseOptions) => {
      process.exitCode = await rehearse(opts);
    });
}

// `npm run rehearse -- …` runs this file directly.
if (require.main === module) {
  const program = new Command('rehearse');
  program.exitOverride();
  registerRehearse(program);
  program
    .parseAsync(['node', 'rehearse', 'rehearse', ...process.argv.slice(2)])
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((err: Error & { exitCode?: number }) => process.exit(err.exitCode === 0 ? 0 : 2));
}
