import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ApprovalEmail, ApprovalMailer } from '../../ports/approval-notifier';
import type { ApprovalReminders, ApprovalTimerAction } from '../../ports/approval-reminders';

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
      const base = path.join(
        this.folder,
        `${String(this.sent.length).padStart(3, '0')}-${email.to.replace(/[^A-Za-z0-9@._-]/g, '_')}`,
      );
      writeFileSync(`${base}.html`, email.html);
      writeFileSync(`${base}.txt`, `To: ${email.to}\nSubject: ${email.subject}\n\n${email.text}\n`);
    }
  }
}

export class TimerApprovalReminders implements ApprovalReminders {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** `fire` is called at the time (typically `sendReminder` or `expireApproval`, by action). */
  constructor(
    private readonly fire: (approvalId: string, action: ApprovalTimerAction) => Promise<unknown>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async schedule(approvalId: string, at: Date, action: ApprovalTimerAction): Promise<void> {
    const key = `${action}:${approvalId}`;
    const previous = this.timers.get(key);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        void this.fire(approvalId, action).catch((err: Error) =>
          console.error('local approval timer failed', err.message),
        );
      },
      Math.max(0, at.getTime() - this.now().getTime()),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  async cancel(approvalId: string): Promise<void> {
    for (const action of ['REMIND', 'EXPIRE']) {
      const key = `${action}:${approvalId}`;
      const timer = this.timers.get(key);
      if (timer) clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  /** Stops every pending timer (end of a rehearsal). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
