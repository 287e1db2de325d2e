import * as fs from 'node:fs/promises';
import type { Command } from 'commander';
import { registerAbort } from './abort';
import { registerApprove } from './approve';
import { registerFinishReplication, type ReplicationClients } from './finish-replication';
import { defaultAwsClients, type InputValidation, type OperatorDeps } from './operator-context';
import { registerReject } from './reject';
import { registerReport } from './report';
import { registerStart } from './start';
import { registerStatus } from './status';

/**
 * Adds the operator verbs to the `msk-migrate` program: one line in the program's entry,
 * `registerOperatorCommands(program, defaultOperatorDeps(validate))`.
 */
export function registerOperatorCommands(
  program: Command,
  deps: OperatorDeps,
  replicationClients?: ReplicationClients,
): Command {
  registerStart(program, deps);
  registerStatus(program, deps);
  registerApprove(program, deps);
  registerReject(program, deps);
  registerReport(program, deps);
  registerAbort(program, deps);
  registerFinishReplication(program, deps, replicationClients);
  return program;
}

/** The real process: stdout/stderr, the environment, AWS clients from the default credential chain. */
export function defaultOperatorDeps(validateInput: (input: unknown) => InputValidation): OperatorDeps {
  return {
    io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    env: process.env,
    clients: defaultAwsClients(),
    now: () => new Date(),
    validateInput,
    setExitCode: (code) => {
      process.exitCode = code;
    },
    readFile: (file) => fs.readFile(file, 'utf8'),
  };
}
