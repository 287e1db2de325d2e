/**
 * An operator's request to abort a running execution (`msk-migrate abort`): recorded where the workflow's poll tasks
 * read it (the migration lock table in AWS, memory locally), so that the workflow itself takes its rollback path.
 * Nothing here calls Step Functions: the CLI needs no states:SendTask* permission.
 */

export interface AbortRequest {
  /** The execution asked to abort. */
  readonly executionArn: string;
  /** Why, in the operator's words (the report and the error carry it). */
  readonly reason: string;
  /** Who asked (the caller's identity ARN, or a name). */
  readonly requestedBy: string;
  /** When (ISO 8601). */
  readonly requestedAt: string;
}

export interface AbortRequests {
  /** Records the request (idempotent: a second request for the same execution keeps the first). */
  request(request: AbortRequest): Promise<'RECORDED' | 'ALREADY_REQUESTED'>;
  /** The request recorded for this execution, if any (a strongly consistent read). */
  requested(executionArn: string): Promise<AbortRequest | undefined>;
}

/** The item key of an execution's abort request in the lock table (lock keys are `source:…`, `target:…`, `pointer:…`). */
export const abortKeyOf = (executionArn: string): string => `abort:${executionArn}`;
