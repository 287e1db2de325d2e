import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { ApprovalRecordSchema, type ApprovalRecord, type Decision } from '../../core/approval/record';
import type { ApprovalStore, ClaimResult } from '../../ports/approval-store';

/**
 * The approval store for tests and the local rehearsal: a Map, optionally mirrored to a JSON file so that a
 * restarted local server still knows its pending approvals. Every operation is synchronous inside the event loop,
 * so `claim` is atomic the same way DynamoDB's conditional write is.
 */
export class MemoryApprovalStore implements ApprovalStore {
  private readonly records = new Map<string, ApprovalRecord>();

  constructor(private readonly filePath?: string) {
    if (filePath && existsSync(filePath)) {
      const saved = JSON.parse(readFileSync(filePath, 'utf8')) as unknown[];
      for (const raw of saved) {
        const record = ApprovalRecordSchema.parse(raw);
        this.records.set(record.approvalId, record);
      }
    }
  }

  private put(record: ApprovalRecord): void {
    this.records.set(record.approvalId, structuredClone(record));
    if (this.filePath) {
      mkdirSync(path.dirname(this.filePath), { recursive: true });
      const tmp = `${this.filePath}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.records.values()], null, 2), { mode: 0o600 });
      renameSync(tmp, this.filePath);
    }
  }

  async create(record: ApprovalRecord): Promise<void> {
    if (this.records.has(record.approvalId)) throw new Error(`Approval ${record.approvalId} already exists.`);
    this.put(ApprovalRecordSchema.parse(record));
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const record = this.records.get(approvalId);
    return record ? structuredClone(record) : undefined;
  }

  async claim(approvalId: string, decision: Decision): Promise<ClaimResult> {
    const current = this.records.get(approvalId);
    if (!current || current.status !== 'PENDING')
      return { claimed: false, current: current ? structuredClone(current) : undefined };
    const record: ApprovalRecord = { ...current, status: 'DECIDED', decision };
    this.put(record);
    return { claimed: true, record: structuredClone(record) };
  }

  async release(approvalId: string, attemptId: string): Promise<void> {
    const current = this.records.get(approvalId);
    if (current?.status === 'DECIDED' && current.decision?.attemptId === attemptId) {
      const { decision: _decision, ...rest } = current;
      this.put({ ...rest, status: 'PENDING' });
    }
  }

  async markExpired(approvalId: string, attemptId: string): Promise<void> {
    const current = this.records.get(approvalId);
    if (current?.status === 'DECIDED' && current.decision?.attemptId === attemptId)
      this.put({ ...current, status: 'EXPIRED' });
  }

  async expirePending(approvalId: string): Promise<boolean> {
    const current = this.records.get(approvalId);
    if (current?.status !== 'PENDING') return false;
    this.put({ ...current, status: 'EXPIRED' });
    return true;
  }

  async setSlackMessage(approvalId: string, message: { channelId: string; ts: string }): Promise<void> {
    const current = this.records.get(approvalId);
    if (current) this.put({ ...current, slackMessage: message });
  }

  async markReminded(approvalId: string, at: string): Promise<boolean> {
    const current = this.records.get(approvalId);
    if (!current || current.status !== 'PENDING' || current.remindedAt) return false;
    this.put({ ...current, remindedAt: at });
    return true;
  }
}
