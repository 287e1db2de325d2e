import type { ReportOutcome, MigrationReportFacts } from './report-facts';
import { type Checklist, type ChecklistGate } from './checklist';

/**
 * The seven checklist gates of a deployed migration, judged from what its execution left: the state the Report task
 * read (./migration-report.ts's facts) and the evidence keys each phase wrote. The same model as the rehearsal's
 * (./checklist.ts); where the rehearsal counts records with its own workload, a deployed migration has the phases'
 * proofs: the assessment, the catch-up gate and the content validation, the drain's tail comparison, the committed
 * offsets, the access check, the alarms and the rollback steps. A gate whose phase did not run is NOT_RUN, never PASS.
 */

const gate = (status: ChecklistGate['status'], evidence: string, keys: ReadonlyArray<string | undefined> = []) => {
  const evidenceKeys = keys.filter((k): k is string => typeof k === 'string' && k.length > 0);
  return { status, evidence, ...(evidenceKeys.length > 0 ? { evidenceKeys } : {}) };
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The caught error when it is one of `names`. */
function caught(facts: MigrationReportFacts, ...names: string[]): string | undefined {
  return facts.error && names.includes(facts.error.error)
    ? `${facts.error.error}: ${facts.error.cause.slice(0, 400)}`
    : undefined;
}

function compatibility(facts: MigrationReportFacts, evidence: readonly string[]): ChecklistGate {
  const { assessment, inventory } = facts;
  const blocked = caught(facts, 'Migration.AssessmentBlocked');
  if (blocked) {
    const keys = evidence.filter((k) => /\/assessment\/assessment\.(json|md)$/.test(k));
    return gate('FAIL', `The assessment stopped the migration before anything was created. ${blocked}`, [
      inventory?.inventoryKey,
      ...keys,
    ]);
  }
  if (!assessment) return gate('NOT_RUN', 'The assessment did not run.', [inventory?.inventoryKey]);
  const keys = [inventory?.inventoryKey, assessment.reportKey, assessment.markdownKey];
  const { BLOCKER, WARNING, INFO } = assessment.counts;
  const counted = `${plural(BLOCKER, 'blocker')} (${assessment.acknowledged.length} acknowledged), ${plural(WARNING, 'warning')}, ${INFO} information`;
  const gaps =
    inventory && !inventory.complete
      ? ` The inventory has gaps: ${inventory.gaps.map((g) => g.replace(/\.$/, '')).join('; ')}.`
      : '';
  if (BLOCKER > 0)
    return gate(
      'WARN',
      `Against ${assessment.profile}: ${counted}; the plan acknowledged the blockers and went on.${gaps}`,
      keys,
    );
  if (WARNING > 0 || gaps) return gate('WARN', `Against ${assessment.profile}: ${counted}.${gaps}`, keys);
  return gate('PASS', `Against ${assessment.profile}: ${counted}; the source inventory was complete.`, keys);
}

function dataCopy(facts: MigrationReportFacts): ChecklistGate {
  const { validation, catchUp, replication } = facts;
  const keys = [replication?.topicsKey, catchUp?.lastEvidenceKey, validation?.evidenceKey];
  const failed = caught(
    facts,
    'Migration.ValidationFailed',
    'Migration.LagTimeout',
    'Migration.ReplicationFailed',
    'Migration.ProvisioningFailed',
  );
  if (failed && !validation) return gate('FAIL', `The target was not proven a copy of the source. ${failed}`, keys);
  if (!validation)
    return gate(
      'NOT_RUN',
      replication
        ? `Replication ran${catchUp ? ` (catch-up ${catchUp.passed ? 'passed' : 'not passed'} after ${plural(catchUp.evaluations, 'evaluation')})` : ''}; the target was not validated.`
        : 'Replication did not start.',
      keys,
    );
  const c = validation.checked;
  const copied = `${plural(c.topics, 'topic')}, ${plural(c.partitions, 'partition')} and ${plural(c.configs, 'config')} match; ${plural(c.sampledRecords, 'sampled record')} found on the target by content${catchUp ? `, after ${catchUp.consecutiveHealthy} healthy catch-up evaluations in a row` : ''}`;
  const duplicates = validation.duplicates?.records ?? 0;
  if (duplicates > 0)
    return gate(
      'WARN',
      `${copied}. A restarted replicator copied ${plural(duplicates, 'record')} twice (within the plan's duplicate tolerance).`,
      keys,
    );
  return gate('PASS', `${copied}.`, keys);
}

function offsets(facts: MigrationReportFacts): ChecklistGate {
  const committed = facts.cutover?.offsets;
  const groupsChecked = facts.validation?.checked.groups;
  if (!committed || !committed.complete) {
    const failed = caught(facts, 'Migration.CutoverFailed', 'Migration.ValidationFailed');
    if (committed && failed)
      return gate('FAIL', `Consumer offsets were not all committed on the target. ${failed}`, [committed.evidenceKey]);
    return gate(
      'NOT_RUN',
      `The cutover did not commit consumer offsets on the target${groupsChecked !== undefined ? ` (ValidateTarget checked ${plural(groupsChecked, 'group')}' translated offsets)` : ''}.`,
      [facts.validation?.evidenceKey],
    );
  }
  const redelivered = committed.redeliveredRecords ?? 0;
  const ahead = committed.replayAheadRecords ?? 0;
  const noOffsets = committed.committed.filter((g) => g.status === 'NO_OFFSETS').length;
  const text = `${plural(committed.groups, 'consumer group')}, ${plural(committed.partitionsCommitted, 'partition')} committed on the target at offsets translated by content${noOffsets > 0 ? ` (${noOffsets} with nothing committed on the source)` : ''}`;
  const keys = [committed.evidenceKey, facts.validation?.evidenceKey];
  if (redelivered > 0 || ahead > 0)
    return gate(
      'WARN',
      `${text}; consumers read ${plural(redelivered, 'record')} again and ${plural(ahead, 'duplicate')} a replay left ahead of them.`,
      keys,
    );
  return gate('PASS', `${text}; no record is read twice.`, keys);
}

function ordering(facts: MigrationReportFacts): ChecklistGate {
  const drain = facts.cutover?.drain;
  const partitions = facts.validation?.checked.partitions;
  const parity =
    partitions !== undefined
      ? `${plural(partitions, 'partition')} with the same count on both sides, so every key keeps its partition and its order`
      : undefined;
  if (drain?.drained)
    return gate(
      'PASS',
      `${parity ? `${parity}; ` : ''}at the cutover the last records of ${plural(drain.partitionsDrained, 'partition')} were found on the target in the source's order, and the source stopped moving (${drain.recordsAfterFence} records after the fence).`,
      [facts.validation?.evidenceKey, drain.evidenceKey],
    );
  const failed = caught(facts, 'Migration.CutoverFailed');
  if (drain && failed)
    return gate('FAIL', `The drain did not prove the target's tails equal to the source's. ${failed}`, [
      drain.evidenceKey,
    ]);
  if (parity)
    return gate(
      'WARN',
      `${parity}; the tails were not compared in order because the cutover's drain was not reached.`,
      [facts.validation?.evidenceKey],
    );
  return gate('NOT_RUN', 'Neither the validation nor the cutover drain ran.');
}

function security(facts: MigrationReportFacts): ChecklistGate {
  const access = facts.validation?.access;
  const failed = caught(facts, 'Migration.AuthFailed');
  const keys = [facts.validation?.evidenceKey];
  if (failed) return gate('FAIL', failed, keys);
  if (!facts.validation || !access) return gate('NOT_RUN', "The target's access was not checked.", keys);
  const how = `${plural(access.principals, 'principal')}${access.listedBy ? ` listed by ${access.listedBy === 'PLAN' ? 'the plan' : "the source's ACLs"}` : ''}, ${plural(facts.validation.checked.accessChecks, 'access check')}${access.basis ? ` (${access.basis})` : ''}`;
  switch (access.status) {
    case 'CHECKED':
      return gate('PASS', `The target grants what the source granted: ${how}.`, keys);
    case 'PARTLY_CHECKED':
      return gate('WARN', `Partly checked: ${how}.${access.reason ? ` ${access.reason}` : ''}`, keys);
    default:
      return gate(
        'WARN',
        `Access on the target was ${access.status === 'SKIPPED' ? 'not checked (skipped by the plan)' : 'not checkable'}${access.reason ? `: ${access.reason}` : '.'}`,
        keys,
      );
  }
}

function observability(facts: MigrationReportFacts): ChecklistGate {
  const { catchUp, replication, window } = facts;
  if (!catchUp && !window) return gate('NOT_RUN', 'No gate was evaluated: replication did not reach the catch-up.');
  const alarms = replication?.alarmNames.length ?? 0;
  const text = `${catchUp ? `${plural(catchUp.evaluations, 'catch-up evaluation')} recorded` : 'no catch-up evaluation'}${window ? `, ${plural(window.checks, 'target health check')} in the rollback window (${window.figures.alarmsInAlarm} alarms in ALARM at the last)` : ''}; ${plural(alarms, 'CloudWatch alarm')} on the replicator`;
  const keys = [catchUp?.lastEvidenceKey, window?.evidenceKey];
  if (replication?.handle.engine === 'MSK_REPLICATOR' && alarms === 0)
    return gate('WARN', `${text}: the MSK Replicator's lag was watched without alarms.`, keys);
  return gate('PASS', `${text}.`, keys);
}

const UNDO_OUTCOMES: Partial<Record<ReportOutcome, string>> = {
  ROLLED_BACK: 'rolled back',
  FAILED_BACK: 'failed back to the source',
};

function rollback(facts: MigrationReportFacts): ChecklistGate {
  const steps = [
    ...(facts.rollbackCutover !== undefined ? ['RollbackCutover'] : []),
    ...(facts.rollbackReplication ? [`RollbackReplication (${facts.rollbackReplication.outcome})`] : []),
    ...(facts.rollbackTarget ? [`RollbackTarget (${facts.rollbackTarget.outcome})`] : []),
  ];
  if (facts.outcome === 'ROLLBACK_FAILED' || facts.rollbackError)
    return gate(
      'FAIL',
      `A rollback step failed${facts.rollbackError ? ` (${facts.rollbackError.error}: ${facts.rollbackError.cause.slice(0, 300)})` : ''}; ran ${steps.join(' → ') || 'nothing'}. A person must finish it.`,
    );
  const undone = UNDO_OUTCOMES[facts.outcome];
  if (undone)
    return gate(
      'PASS',
      `${facts.error?.error ?? 'A failure'} ${undone} the migration: ${steps.join(' → ') || 'the failback steps'} ran; clients are on the source.`,
    );
  if (facts.outcome === 'NEEDS_ATTENTION')
    return gate(
      'WARN',
      `The target failed after the point of no return (${facts.pointOfNoReturn ?? 'time unknown'}): nothing is switched back automatically, failback is a person's decision.`,
      [facts.window?.evidenceKey],
    );
  if (facts.window?.windowClosed)
    return gate(
      'NOT_RUN',
      `No rollback was needed: the rollback window closed with the target healthy after ${plural(facts.window.checks, 'check')}${facts.pointOfNoReturn ? `; point of no return ${facts.pointOfNoReturn}` : ''}.`,
      [facts.window.evidenceKey],
    );
  return gate('NOT_RUN', 'No rollback branch was taken.');
}

/** The checklist of a deployed execution; `evidence` is every key under the execution's prefix. */
export function deployedChecklist(facts: MigrationReportFacts, evidence: readonly string[]): Checklist {
  return {
    Compatibility: compatibility(facts, evidence),
    'Data copy': dataCopy(facts),
    Offsets: offsets(facts),
    Ordering: ordering(facts),
    Security: security(facts),
    Observability: observability(facts),
    Rollback: rollback(facts),
  };
}
