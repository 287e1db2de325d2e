import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { checkPlan } from '../lambdas/core/plan/check-plan';
import { WORKFLOW_DEFINITION } from '../lambdas/tasks/shared/workflow-definition';
import { ExitCode, type InputValidation } from './commands/operator-context';
import { defaultOperatorDeps, registerOperatorCommands } from './commands/operator';
import { registerRehearse } from './commands/rehearse';
import { registerValidate } from './commands/validate';

/**
 * `msk-migrate`: the operator CLI (launched by cli/msk-migrate.cjs). Exit codes (docs/operator-guide.md) are cli/commands/operator-context.ts
 * ExitCode: 0 done, 1 failed while running, 2 wrong command line or input, 3 not found, 4 credentials or Region.
 */

// `start` runs the same check as `validate` and the deployed ValidateInput (AWS runtime); the type proves the shapes agree.
const validateInput = (input: unknown): InputValidation => checkPlan(input, 'AWS', WORKFLOW_DEFINITION);

function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ??
      '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const deps = defaultOperatorDeps(validateInput);
  const program = new Command('msk-migrate')
    .description(
      'Migrate Kafka workloads off Amazon MSK: validate an input, start a migration, follow it, approve it, read its report',
    )
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program, deps);
  registerOperatorCommands(program, deps);
  registerRehearse(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (unknown option, missing argument) or the help/version already.
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.INVALID_INPUT;
      return;
    }
    // The verbs report their own errors; anything else is a bug, still reported without a stack trace.
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = ExitCode.RUNTIME;
  }
}

// `tsx cli/msk-migrate.ts …` runs it directly; cli/msk-migrate.cjs (the installed command) calls main().
if (require.main === module) void main(process.argv);
