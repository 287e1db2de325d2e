import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { DynamoDbAbortRequests } from '../../lambdas/adapters/aws/dynamodb-abort-requests';
import type { OperatorAbortResponse } from '../../lambdas/approval/app';
import type { AbortedApproval } from '../../lambdas/core/approval/service';
import { approvalApiPost } from './approve';
import {
  APPROVAL_URL_ENV,
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
 * Migration.Aborted and the state's Catch undoes what this execution did. An approval that waits is not a poll: the
 * CLI then asks the approval service (a SigV4-signed request to its `POST /operator/aborts` route, AWS_IAM
 * authorization) to end the execution's waiting approval, which it does through its own path — claim, audit,
 * SendTaskFailure with Migration.Aborted — so the approval state's Catch runs at once. The CLI calls no
 * states:SendTask* and stops nothing itself: it needs states:DescribeExecution, sts:GetCallerIdentity, dynamodb:PutItem
 * on the lock table and execute-api:Invoke on the abort route (`MigrationOrchestrator.grantAbort`).
 */

export const LOCK_TABLE_ENV = 'MSK_MIGRATION_LOCK_TABLE';

interface AbortOptions extends CommonOptions {
  readonly reason?: string;
  readonly apiUrl?: string;
  readonly stateMachineArn?: string;
  readonly lockTable?: string;
}

export interface AbortRequested {
  readonly executionArn: string;
  readonly status: 'RECORDED' | 'ALREADY_REQUESTED';
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  /**
   * The waiting approval: ENDED (the approval service ended these approvals; an empty list when none waited), or
   * NOT_ASKED when no approval API URL is configured (an approval that waits then waits on).
   */
  readonly waitingApproval:
    | { readonly status: 'ENDED'; readonly approvals: readonly AbortedApproval[] }
    | { readonly status: 'NOT_ASKED'; readonly why: string };
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
  let migrationId: string | undefined;
  try {
    const described = await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }));
    status = described.status;
    migrationId = migrationIdOf(described.input);
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
  let recorded: 'RECORDED' | 'ALREADY_REQUESTED';
  try {
    recorded = await new DynamoDbAbortRequests(deps.clients.dynamodb(region), table).request({
      executionArn,
      reason,
      requestedBy,
      requestedAt,
    });
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
  const request = { executionArn, status: recorded, reason, requestedBy, requestedAt };
  const apiUrl = options.apiUrl ?? deps.env[APPROVAL_URL_ENV];
  if (!apiUrl)
    return {
      ...request,
      waitingApproval: {
        status: 'NOT_ASKED',
        why: `no approval API URL (--api-url or $${APPROVAL_URL_ENV}): an approval that waits is not ended by this request`,
      },
    };
  if (!migrationId)
    return {
      ...request,
      waitingApproval: {
        status: 'NOT_ASKED',
        why: 'the execution input names no migrationId (it was refused at once)',
      },
    };
  return { ...request, waitingApproval: await endWaitingApproval(executionArn, migrationId, reason, options, deps) };
}

function migrationIdOf(input: string | undefined): string | undefined {
  try {
    const value = (JSON.parse(input ?? '') as { migrationId?: unknown } | null)?.migrationId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the approval service to end the execution's waiting approval (none waiting: an empty list). */
async function endWaitingApproval(
  executionArn: string,
  migrationId: string,
  reason: string,
  options: AbortOptions,
  deps: OperatorDeps,
): Promise<AbortRequested['waitingApproval']> {
  const recorded =
    'The abort request is recorded (the next poll of the workflow raises Migration.Aborted), but a waiting approval';
  const { status, text } = await approvalApiPost(
    '/operator/aborts',
    JSON.stringify({ executionArn, migrationId, reason }),
    options,
    deps,
  ).catch((err: unknown) => {
    const e = toCliError(err);
    throw new CliError(e.code, `${recorded} could not be ended: ${e.message}`, e.exitCode, e.hint);
  });
  let answer: OperatorAbortResponse | undefined;
  try {
    answer = JSON.parse(text) as OperatorAbortResponse;
  } catch {
    answer = undefined;
  }
  if (answer?.status === 'ABORTED') return { status: 'ENDED', approvals: answer.approvals };
  if (status === 403 && answer?.status !== 'REFUSED')
    throw new CliError(
      'ACCESS_DENIED',
      `${recorded} could not be ended: the approval API refused the signed request (403).`,
      ExitCode.CREDENTIALS,
      'Your IAM identity needs execute-api:Invoke on the abort route (MigrationOrchestrator.grantAbort). Run `msk-migrate abort` again once it has: the request already recorded stands.',
    );
  throw new CliError(
    answer?.status === 'REFUSED' ? answer.reason : 'APPROVAL_API_ERROR',
    `${recorded} could not be ended: ${answer?.status === 'REFUSED' ? answer.message : `the approval API answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`}`,
    ExitCode.RUNTIME,
    'Run `msk-migrate abort` again: the request already recorded stands, and a second call ends the approval if it still waits.',
  );
}

export function registerAbort(program: Command, deps: OperatorDeps): Command {
  const command = program
    .command('abort')
    .description('Ask a running migration to roll back: its next poll raises Migration.Aborted')
    .argument('<execution>', 'execution name or ARN')
    .option('--reason <text>', 'why (the error, the report and the notifications carry it)')
    .option('--lock-table <name>', `the migration lock table (default: $${LOCK_TABLE_ENV})`)
    .option(
      '--api-url <url>',
      `the approval API, to end a waiting approval (the ApprovalUrl stack output; default: $${APPROVAL_URL_ENV})`,
    )
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
        'poll interval).',
        ...waitingApprovalLines(requested.waitingApproval),
        `Follow it with: msk-migrate status ${requested.executionArn}`,
      ].join('\n'),
    };
  });
}

function waitingApprovalLines(waiting: AbortRequested['waitingApproval']): string[] {
  if (waiting.status === 'NOT_ASKED')
    return [
      `Waiting approval: not asked (${waiting.why}). Give --api-url, or run this again with it, to end an approval`,
      'that waits; until then it waits for its decision or its deadline.',
    ];
  if (waiting.approvals.length === 0) return ['Waiting approval: none was waiting.'];
  return waiting.approvals.map((a) =>
    a.outcome === 'ABORTED'
      ? `Waiting approval: the ${a.kind.toLowerCase()} approval ${a.approvalId} was ended with Migration.Aborted; its state's Catch runs now.`
      : `Waiting approval: the ${a.kind.toLowerCase()} approval ${a.approvalId} no longer waited (timed out or stopped).`,
  );
}
