import * as z from 'zod';
import { normaliseEmail } from './decision-rules';
import type { ApprovalEvidence, ApprovalKind, ApproverAllowList, EvidenceLine } from './record';
import { displayTime } from './display-time';
import { parseIamPrincipal } from './iam-principal';
import { lazySchema } from '../lazy-schema';

/**
 * Reads the execution state the approval task receives (`state`: the validated plan under `input`, and the
 * summaries earlier states wrote: `assessment`, `catchUp`, `validation`, `cutover`) and turns it into the evidence a
 * person reads before deciding. Tolerant on purpose: a summary that is missing or shaped differently is shown as
 * "not reported", never as a pass, and never fails the request (the gates themselves already ran).
 */

const Approver = lazySchema(() =>
  z.union([
    z.string(),
    z.object({
      email: z.string().optional(),
      slackUserId: z.string().optional(),
      iamArn: z.string().optional(),
      name: z.string().optional(),
    }),
  ]),
);

/** The part of the migration plan this module reads (the full schema is the ValidateInput task's). */
export const ApprovalPlanSchema = lazySchema(() =>
  z.object({
    email: z.array(z.string()).default([]),
    slack: z.object({ channelId: z.string().min(1) }).optional(),
    approvers: z.array(Approver).default([]),
    timeoutMinutes: z.number().positive(),
  }),
);
export type ApprovalPlan = z.infer<typeof ApprovalPlanSchema>;

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * The allow-list: `approvers` entries (e-mail addresses, Slack user IDs, IAM user/role/role-session ARNs, or
 * `{email, slackUserId, iamArn}`); when the plan lists none, the e-mail recipients are the approvers (Slack then needs
 * user IDs listed to decide, the operator CLI IAM ARNs).
 */
export function allowListFromPlan(plan: ApprovalPlan): ApproverAllowList {
  const emails = new Set<string>();
  const slackUserIds = new Set<string>();
  const iamPrincipals = new Set<string>();
  for (const entry of plan.approvers) {
    const candidates = typeof entry === 'string' ? [entry] : [entry.email, entry.slackUserId, entry.iamArn];
    for (const value of candidates) {
      if (!value) continue;
      // Before the e-mail test: a role-session ARN may end with an e-mail address as its session name.
      if (parseIamPrincipal(value)) iamPrincipals.add(value);
      else if (value.includes('@')) emails.add(normaliseEmail(value));
      else if (SLACK_USER_ID.test(value)) slackUserIds.add(value);
    }
  }
  if (plan.approvers.length === 0) for (const recipient of plan.email) emails.add(normaliseEmail(recipient));
  return {
    emails: [...emails].sort(),
    slackUserIds: [...slackUserIds].sort(),
    ...(iamPrincipals.size > 0 ? { iamPrincipals: [...iamPrincipals].sort() } : {}),
  };
}

const Loose = lazySchema(() => z.record(z.string(), z.unknown()));
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const record = (value: unknown): Record<string, unknown> | undefined => {
  const parsed = Loose.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

function clusterLabel(side: Record<string, unknown> | undefined): string {
  if (!side) return 'not reported';
  const name = text(side.name) ?? text(side.clusterName);
  const arn = text(side.clusterArn);
  const type = text(side.type) ?? text(side.kind);
  const servers = Array.isArray(side.bootstrapServers)
    ? side.bootstrapServers.filter((s): s is string => typeof s === 'string')
    : [];
  const main = name ?? (arn ? (arn.split('/').slice(-2, -1)[0] ?? arn) : undefined) ?? servers[0] ?? 'not reported';
  return type ? `${main} (${type})` : main;
}

function catchUpLine(catchUp: Record<string, unknown> | undefined): EvidenceLine {
  if (!catchUp) return { label: 'Catch-up gate', value: 'not reported', status: 'WARN' };
  const passed = catchUp.passed === true;
  const evaluations = count(catchUp.evaluations);
  const healthy = count(catchUp.consecutiveHealthy);
  const since = text(catchUp.healthySince);
  const parts = [
    passed ? 'passed' : 'not passed',
    healthy !== undefined ? `${healthy} consecutive healthy checks` : undefined,
    evaluations !== undefined ? `${evaluations} evaluations` : undefined,
    since ? `healthy since ${displayTime(since)}` : undefined,
  ].filter((p): p is string => p !== undefined);
  return { label: 'Catch-up gate (lag)', value: parts.join(', '), status: passed ? 'PASS' : 'FAIL' };
}

function validationLine(validation: Record<string, unknown> | undefined): EvidenceLine {
  if (!validation) return { label: 'Target validation', value: 'not reported', status: 'WARN' };
  const passed = validation.passed === true;
  const checked = record(validation.checked) ?? {};
  const figures = (['topics', 'partitions', 'configs', 'sampledRecords', 'groups', 'accessChecks'] as const)
    .map((k) =>
      count(checked[k]) !== undefined
        ? `${count(checked[k])} ${k === 'sampledRecords' ? 'records sampled' : k === 'accessChecks' ? 'access checks' : k}`
        : undefined,
    )
    .filter((p): p is string => p !== undefined);
  return {
    label: 'Target validation (parity, continuity, offsets)',
    value: [passed ? 'passed' : 'not passed', ...figures].join(', '),
    status: passed ? 'PASS' : 'FAIL',
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Finding {
  severity: string;
  title: string;
}

function findingsOf(assessment: Record<string, unknown> | undefined): Finding[] {
  const list = Array.isArray(assessment?.findings) ? assessment.findings : [];
  return list
    .map((f) => record(f))
    .filter((f): f is Record<string, unknown> => f !== undefined)
    .map((f) => ({
      severity: text(f.severity) ?? 'INFO',
      title: text(f.title) ?? text(f.message) ?? text(f.id) ?? text(f.rule) ?? 'unnamed finding',
    }));
}

function assessmentLine(assessment: Record<string, unknown> | undefined, findings: Finding[]): EvidenceLine {
  if (!assessment) return { label: 'Assessment', value: 'not reported', status: 'WARN' };
  const counts = record(assessment.counts) ?? record(assessment.summary) ?? assessment;
  const tally = (severity: string, key: string): number =>
    count(counts[key]) ?? findings.filter((f) => f.severity === severity).length;
  const blockers = tally('BLOCKER', 'blockers');
  const warnings = tally('WARNING', 'warnings');
  const infos = tally('INFO', 'infos');
  return {
    label: 'Assessment',
    value: `${plural(blockers, 'blocker')}, ${plural(warnings, 'warning')} accepted, ${plural(infos, 'note')}`,
    status: blockers > 0 ? 'FAIL' : warnings > 0 ? 'WARN' : 'PASS',
  };
}

function minutes(value: unknown): number | undefined {
  const n = count(value);
  return n !== undefined && n > 0 ? n : undefined;
}

function rollbackWindowMinutes(input: Record<string, unknown>): number | undefined {
  const cutover = record(input.cutover);
  const rollback = record(input.rollback);
  return (
    minutes(cutover?.rollbackWindowMinutes) ?? minutes(rollback?.windowMinutes) ?? minutes(input.rollbackWindowMinutes)
  );
}

const QUESTIONS: Record<ApprovalKind, (id: string) => string> = {
  CUTOVER: (id) => `Switch the producers and consumers of migration ${id} from the source cluster to the target.`,
  FINALIZE: (id) =>
    `Finalize migration ${id}: stop the forward replication and keep the target. Rejecting asks for a failback decision.`,
  FAILBACK: (id) =>
    `Fail migration ${id} back to the source: copy back what was written to the target since the switch, then move the clients back. Reject to stay on the target.`,
};

/** A plan in waves: which wave this cutover is, whose, and its topics (`$.waves.current`, `input.waves`). */
function waveLine(state: Record<string, unknown>, input: Record<string, unknown>): EvidenceLine | undefined {
  const current = record(record(state.waves)?.current);
  const name = text(current?.name);
  if (!current || !name) return undefined;
  const wave = (Array.isArray(input.waves) ? input.waves : [])
    .map((w) => record(w))
    .find((w) => text(w?.name) === name);
  const topics = (Array.isArray(wave?.topics) ? wave.topics : []).filter((t): t is string => typeof t === 'string');
  const team = text(wave?.team);
  return {
    label: 'Wave',
    value: `${name} (${(count(current.index) ?? 0) + 1} of ${count(current.count) ?? '?'})${team ? `, owned by ${team}` : ''}: ${topics.slice(0, 8).join(', ')}${topics.length > 8 ? `, … (${topics.length} topics)` : ''}; only this wave's clients switch, and a rollback undoes this wave only`,
    status: 'INFO',
  };
}

export interface EvidenceContext {
  readonly kind: ApprovalKind;
  readonly executionName: string;
  /** The whole execution state the task received. */
  readonly state: unknown;
}

export function buildEvidence(ctx: EvidenceContext): ApprovalEvidence {
  const state = record(ctx.state) ?? {};
  const input = record(state.input) ?? {};
  const migrationId = text(input.migrationId) ?? text(input.name) ?? ctx.executionName;
  const assessment = record(state.assessment);
  const catchUp = record(state.catchUp);
  const validation = record(state.validation);
  const findings = findingsOf(assessment);
  const windowMinutes = rollbackWindowMinutes(input);
  const window = windowMinutes ? `${windowMinutes} minutes` : 'as configured in the plan';

  const gates: EvidenceLine[] = [
    assessmentLine(assessment, findings),
    catchUpLine(catchUp),
    validationLine(validation),
  ];
  const reasons = Array.isArray(catchUp?.lastReasons)
    ? catchUp.lastReasons.filter((r): r is string => typeof r === 'string')
    : [];
  const figures: EvidenceLine[] = [];
  const wave = ctx.kind === 'CUTOVER' ? waveLine(state, input) : undefined;
  if (wave) figures.push(wave);
  const replication = record(state.replication);
  if (replication && count(replication.topicCount) !== undefined) {
    figures.push({ label: 'Topics replicated', value: String(count(replication.topicCount)), status: 'INFO' });
  }
  if (replication && text(record(replication.handle)?.engine)) {
    figures.push({
      label: 'Replication engine',
      value: String(text(record(replication.handle)?.engine)),
      status: 'INFO',
    });
  }
  const lastEvaluatedAt = text(catchUp?.lastEvaluatedAt);
  if (lastEvaluatedAt)
    figures.push({ label: 'Last lag evaluation', value: displayTime(lastEvaluatedAt), status: 'INFO' });
  for (const reason of reasons) figures.push({ label: 'Last lag note', value: reason, status: 'WARN' });
  const duplicates = record(validation?.duplicates);
  const duplicateCount = count(duplicates?.records);
  if (duplicates && duplicateCount !== undefined && duplicateCount > 0) {
    const partitions = (Array.isArray(duplicates.partitions) ? duplicates.partitions : [])
      .map((p) => record(p))
      .filter((p): p is Record<string, unknown> => p !== undefined)
      .slice(0, 4)
      .map((p) => `${text(p.subject) ?? '?'} ${count(p.records) ?? '?'}`);
    figures.push({
      label: 'Duplicates on the target',
      value: `${duplicateCount} record(s) copied twice by a replicator restart, within the plan's recovery.duplicateTolerance (${partitions.join(', ')}${partitions.length < (Array.isArray(duplicates.partitions) ? duplicates.partitions.length : 0) ? ', …' : ''})`,
      status: 'WARN',
    });
  }
  const freshGroups = Array.isArray(record(input.recovery)?.freshGroups)
    ? (record(input.recovery)?.freshGroups as unknown[])
    : [];
  for (const g of freshGroups.map((x) => record(x)).filter((x): x is Record<string, unknown> => x !== undefined))
    figures.push({
      label: 'Fresh consumer group',
      value: `${text(g.groupId) ?? '?'} starts on the target from ${text(g.startAt) ?? '?'} (not translated); the records it reads again are accepted by ${text(g.acceptedBy) ?? '?'}`,
      status: 'WARN',
    });
  const notes = Array.isArray(validation?.notes)
    ? validation.notes.filter((n): n is string => typeof n === 'string')
    : [];
  for (const note of notes.slice(0, 5)) figures.push({ label: 'Validation note', value: note, status: 'INFO' });
  if (ctx.kind === 'FINALIZE' || ctx.kind === 'FAILBACK') {
    // SwitchToTarget writes its record under $.cutover.switch; older states kept the time on $.cutover itself.
    const cutover = record(state.cutover);
    const switchedAt =
      text(record(cutover?.switch)?.switchedAt) ?? text(cutover?.switchedAt) ?? text(cutover?.completedAt);
    if (switchedAt) figures.push({ label: 'Cutover completed', value: displayTime(switchedAt), status: 'INFO' });
  }
  if (ctx.kind === 'FAILBACK') {
    const passedAt = text(record(state.pointOfNoReturn)?.passedAt);
    if (passedAt) figures.push({ label: 'Point of no return passed', value: displayTime(passedAt), status: 'WARN' });
    const error = record(state.error);
    const why = text(error?.Error);
    if (why)
      figures.push({
        label: 'Why a decision is needed',
        value: `${why}: ${text(error?.Cause)?.slice(0, 300) ?? 'no cause given'}`,
        status: 'FAIL',
      });
  }

  const passedAtRaw = text(record(state.pointOfNoReturn)?.passedAt);
  const passedAtText = passedAtRaw ? displayTime(passedAtRaw) : undefined;
  const evidenceKeys = [
    text(assessment?.evidenceKey),
    text(catchUp?.lastEvidenceKey),
    text(validation?.evidenceKey),
    text(record(state.inventory)?.evidenceKey),
  ].filter((k): k is string => k !== undefined);

  return {
    migrationId,
    executionName: ctx.executionName,
    kind: ctx.kind,
    question: QUESTIONS[ctx.kind](migrationId),
    source: clusterLabel(record(input.source)),
    target: clusterLabel(record(input.target)),
    gates,
    figures: figures.slice(0, 12),
    findingsAccepted: findings
      .filter((f) => f.severity === 'WARNING')
      .map((f) => f.title)
      .slice(0, 10),
    rollbackWindow:
      ctx.kind === 'CUTOVER'
        ? `For ${window} after the switch, a failure reverts producers and consumers to the source automatically.`
        : `The rollback window has closed (it was ${window}); the clients stay on the target.`,
    pointOfNoReturn:
      ctx.kind === 'CUTOVER'
        ? `When the rollback window closes, ${window} after the switch. After that nothing switches back by itself: a failure asks a person to choose failback or staying on the target.`
        : `${passedAtText ? `Passed at ${passedAtText}` : 'Passed when the rollback window closed'}. ` +
          (ctx.kind === 'FINALIZE'
            ? 'Approving stops the forward replication and keeps the target; rejecting asks for a failback decision.'
            : 'Approving starts reverse replication of what was written to the target since the switch, then moves the clients back; rejecting keeps them on the target.'),
    evidenceKeys,
  };
}
