/**
 * The compensator (lambdas/compensator) runs the rollback tasks' cores and Report's lock release from the journals
 * when an execution was stopped or failed outside any Catch. Its role is generated from COMPENSATOR_SPEC, the union of
 * RollbackCutover, RollbackReplication, RollbackTarget and Report's permissions: every request those adapter methods
 * were recorded making (the unit, workflow and aws-api tiers) is evaluated against it, with its dependent actions.
 */
import { COMPENSATOR_SPEC, TASKS } from '../../lib/migration-orchestrator';
import { AWS_ADAPTERS } from '../../lib/iam/operations';
import { adapterMethodsOf } from '../../lib/iam/task-policy';
import { iamRequestsOf } from './iam-requests';
import { decide, isWellFormed, namedByTheTool, recordedRequests, synthRoles } from './simulation';

jest.setTimeout(300_000);

it('allows the compensator every recorded request of the rollback tasks and Report, with its dependent actions', async () => {
  // Prepare
  const { compensator } = synthRoles();
  if (!compensator) throw new Error('no compensator in the synthesized stack');
  const methods = new Set<string>(adapterMethodsOf(COMPENSATOR_SPEC.may));
  const records = recordedRequests().filter(
    (r) => r.adapterMethod && (r.adapterMethod.split('.')[0] ?? '') in AWS_ADAPTERS && methods.has(r.adapterMethod),
  );
  const fn = {
    partition: 'aws',
    bucket: compensator.environment.ARTIFACT_BUCKET ?? 'no-bucket',
    ...(compensator.environment.MIGRATION_LOCK_TABLE
      ? { lockTable: compensator.environment.MIGRATION_LOCK_TABLE }
      : {}),
    ...(compensator.environment.REPLICATOR_SERVICE_ROLE_ARN
      ? { replicatorRole: compensator.environment.REPLICATOR_SERVICE_ROLE_ARN }
      : {}),
  };
  // Act
  const denied: string[] = [];
  const seen = new Set<string>();
  for (const record of records)
    for (const request of iamRequestsOf(record, fn).filter(isWellFormed)) {
      if (!record.task && !namedByTheTool(request)) continue;
      const key = `${request.action} ${request.resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const decision = await decide(compensator.policies, request);
      if (decision !== 'Allowed') denied.push(`${key} (${decision}) from ${record.adapterMethod}`);
    }
  // Assess
  process.stdout.write(
    `compensator: ${records.length} recorded SDK requests → ${seen.size} IAM requests; denied ${denied.length}\n`,
  );
  expect(seen.size).toBeGreaterThan(10);
  expect([...seen].some((k) => k.startsWith('dynamodb:DeleteItem'))).toBe(true);
  expect(denied).toEqual([]);
  // The union holds each rollback task's permissions.
  for (const task of ['RollbackCutover', 'RollbackReplication', 'RollbackTarget', 'Report'] as const)
    for (const p of TASKS[task].may) expect(COMPENSATOR_SPEC.may).toContain(p);
});
