import type { AbortRequest, AbortRequests } from '../../ports/abort-requests';

/** Abort requests of the local rehearsal and the tests: a Map by execution ARN (the first request stays). */
export class MemoryAbortRequests implements AbortRequests {
  readonly requests = new Map<string, AbortRequest>();

  async request(request: AbortRequest): Promise<'RECORDED' | 'ALREADY_REQUESTED'> {
    if (this.requests.has(request.executionArn)) return 'ALREADY_REQUESTED';
    this.requests.set(request.executionArn, { ...request });
    return 'RECORDED';
  }

  async requested(executionArn: string): Promise<AbortRequest | undefined> {
    const found = this.requests.get(executionArn);
    return found ? { ...found } : undefined;
  }
}
