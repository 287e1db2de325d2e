import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ApprovalEmail, ApprovalMailer } from '../../ports/approval-notifier';
import type { ApprovalReminders } from '../../ports/approval-reminders';

/**
 * Local delivery for the rehearsal: e-mails land in an outbox (memory, and a folder of .html/.txt files when given)
 * so a person can open the link; reminders are timers in this process.
 */
export class OutboxApprovalMailer implements ApprovalMailer {
  readonly personal = true;
  readonly sent: ApprovalEmail[] = [];

  constructor(private readonly folder?: string) {}

  async send(email: ApprovalEmail): Promise<void> {
    this.sent.push(email);
    if (this.folder) {
      mkdirSync(this.folder, { recursive: true });
      const base = path.join(this.folder, `${String(this.sent.length).padStart(3, '0')}-${email.to.replace(/[^A-Za-z0-9@._-]/g, '_')}`);
      writeFileSync(`${base}.html`, email.html);
      writeFileSync(`${base}.txt`, `To: ${email.to}\nSubject: ${email.subject}\n\n${email.text}\n`);
    }
  }
}

export class TimerApprovalReminders implements ApprovalReminders {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** `fire` is called with the approval ID at the reminder time (typically `sendReminder`). */
  constructor(private readonly fire: (approvalId: string) => Promise<unknown>, private readonly now: () => Date = () => new Date()) {}

  async schedule(approvalId: string, at: Date): Promise<void> {
    await this.cancel(approvalId);
    const timer = setTimeout(() => {
      this.timers.delete(approvalId);
      void this.fire(approvalId).catch((err: Error) => console.error('local approval reminder failed', err.message));
    }, Math.max(0, at.getTime() - this.now().getTime()));
    timer.unref();
    this.timers.set(approvalId, timer);
  }

  async cancel(approvalId: string): Promise<void> {
    const timer = this.timers.get(approvalId);
    if (timer) clearTimeout(timer);
    this.timers.delete(approvalId);
  }

  /** Stops every pending timer (end of a rehearsal). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
