import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { DynamoDbAbortRequests } from '../../lambdas/adapters/aws/dynamodb-abort-requests';
import {
  CliError,
  executionArnOf,
  ExitCode,
  resolveRegion,
  awsVerb,
  setting,
  STATE_MACHINE_ENV,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';

/**
 * `msk-migrate abort EXECUTION [--reason TEXT]`: asks a running migration to take its own rollback path. The request
 * goes into the migration lock table (`abort:<executionArn>`), where every poll task of the workflow reads it: the
 * next poll (catch-up, drain, consumer groups, target and replicator waits, rollback window, failback) raises
 * Migration.Aborted and the state's Catch undoes what this execution did. The CLI calls no states:SendTask* and
 * stops nothing itself: it needs states:DescribeExecution, sts:GetCallerIdentity and dynamodb:PutItem on the lock
 * table (`MigrationOrchestrator.grantAbort`).
 */

export const LOCK_TABLE_ENV = 'MSK_MIGRATION_LOCK_TABLE';

interface AbortOptions extends CommonOptions {
  readonly reason?: string;
  readonly stateMachineArn?: string;
  readonly lockTable?: string;
}

export interface AbortRequested {
  readonly executionArn: string;
  readonly status: 'RECORDED' | 'ALREADY_REQUESTED';
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
}

export async function requestAbort(
  execution: string,
  options: AbortOptions,
  deps: OperatorDeps,
): Promise<AbortRequested> {
  const executionArn = executionArnOf(execution, options.stateMachineArn ?? deps.env[STATE_MACHINE_ENV]);
  const table = setting(options.lockTable, deps.env, LOCK_TABLE_ENV, 'migration lock table', '--lock-table');
  const reason = (options.reason ?? '').trim() || 'No reason given.';
  if (reason.length > 1000)
    throw new CliError(
      'INVALID_ARGUMENT',
      `--reason is ${reason.length} characters long; at most 1000.`,
      ExitCode.INVALID_INPUT,
      'Say why in a sentence or two; the report carries it.',
    );
  const region = resolveRegion(options, deps.env, executionArn);
  let status: string | undefined;
  try {
    status = (await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }))).status;
  } catch (err) {
    throw toCliError(err, { region, action: 'states:DescribeExecution on the orchestrator' });
  }
  if (status !== 'RUNNING')
    throw new CliError(
      'EXECUTION_NOT_RUNNING',
      `Execution ${executionArn} is ${status ?? 'in an unknown state'}, not RUNNING: there is nothing to abort.`,
      ExitCode.RUNTIME,
      `Read what it did with \`msk-migrate report ${executionArn}\`.`,
      { executionArn, status },
    );
  let requestedBy: string;
  try {
    requestedBy = (await deps.clients.sts(region).send(new GetCallerIdentityCommand({}))).Arn ?? 'an operator';
  } catch (err) {
    throw toCliError(err, { region, action: 'sts:GetCallerIdentity' });
  }
  const requestedAt = deps.now().toISOString();
  try {
    const recorded = await new DynamoDbAbortRequests(deps.clients.dynamodb(region), table).request({
      executionArn,
      reason,
      requestedBy,
      requestedAt,
    });
    return { executionArn, status: recorded, reason, requestedBy, requestedAt };
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException')
      throw new CliError(
        'LOCK_TABLE_NOT_FOUND',
        `No lock table ${table} in ${region}.`,
        ExitCode.NOT_FOUND,
        `Pass --lock-table or set ${LOCK_TABLE_ENV} to the MigrationLockTableName output of the stack.`,
      );
    throw toCliError(err, { region, action: `dynamodb:PutItem on the lock table ${table}` });
  }
}

export function registerAbort(program: Command, deps: OperatorDeps): Command {
  const command = program
    .command('abort')
    .description('Ask a running migration to roll back: its next poll raises Migration.Aborted')
    .argument('<execution>', 'execution name or ARN')
    .option('--reason <text>', 'why (the error, the report and the notifications carry it)')
    .option('--lock-table <name>', `the migration lock table (default: $${LOCK_TABLE_ENV})`)
    .option(
      '--state-machine-arn <arn>',
      `the orchestrator, to find an execution by name (default: $${STATE_MACHINE_ENV})`,
    );
  return awsVerb(command, deps, async (execution: string, options: AbortOptions) => {
    const requested = await requestAbort(execution, options, deps);
    return {
      data: requested,
      text: [
        requested.status === 'RECORDED'
          ? `Abort requested for ${requested.executionArn}`
          : `${requested.executionArn} was already asked to abort; the first request stands`,
        `  by:     ${requested.requestedBy}`,
        `  reason: ${requested.reason}`,
        'The next poll of the workflow raises Migration.Aborted and the execution rolls back what it did (within one',
        'poll interval). An approval that is waiting is not a poll: reject it (msk-migrate reject) to abort at once.',
        `Follow it with: msk-migrate status ${requested.executionArn}`,
      ].join('\n'),
    };
  });
}
