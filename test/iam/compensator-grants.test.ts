/**
 * The compensator (lambdas/compensator) runs the rollback tasks' cores and Report's lock release from the journals
 * when an execution was stopped or failed outside any Catch. Its role is generated from COMPENSATOR_SPEC: the
 * permissions of RollbackCutover, RollbackReplication, RollbackTarget and Report that its handler wires. Simulated
 * here: the requests its own handler made in the unit tier (test/unit/compensator-aws.test.ts and
 * compensator-client-switches-aws.test.ts, recorded with its entry), and every request those adapter methods were
 * recorded making anywhere, with their dependent actions.
 */
import { COMPENSATOR_ENTRY, COMPENSATOR_SPEC, TASKS } from '../../lib/migration-orchestrator';
import { AWS_ADAPTERS } from '../../lib/iam/operations';
import { PERMISSIONS, type PermissionSpec, type TaskPermission } from '../../lib/iam/permissions';
import { adapterMethodsOf } from '../../lib/iam/task-policy';
import type { RecordedRequest } from '../setup/aws-request-recorder';
import { iamRequestsOf, type FunctionContext } from './iam-requests';
import { decide, isWellFormed, namedByTheTool, recordedRequests, synthRoles, type TaskRole } from './simulation';

jest.setTimeout(300_000);

/**
 * Permissions of COMPENSATOR_SPEC that the compensator's handler test does not drive, with the reason. Kept exact:
 * a permission driven since, or no longer granted, fails the test below until it leaves this list.
 */
const NOT_DRIVEN: Partial<Record<TaskPermission, string>> = {
  writeFenceUndo:
    "a write fence (cutover.fence) journaled: the compensator runs RollbackCutover's undoWriteFence, whose requests RollbackCutover's tests record",
  secretsRead: "a SCRAM source's secret: the handler test's source authenticates with IAM",
  kafkaDescribe: 'the Kafka data plane (kafka-cluster:*), which no test records; simulated from the declaration',
  kafkaCanaryDelete: 'the Kafka data plane (kafka-cluster:*), which no test records; simulated from the declaration',
};

const fnContext = (role: TaskRole): FunctionContext => ({
  partition: 'aws',
  bucket: role.environment.ARTIFACT_BUCKET ?? 'no-bucket',
  ...(role.environment.MIGRATION_LOCK_TABLE ? { lockTable: role.environment.MIGRATION_LOCK_TABLE } : {}),
  ...(role.environment.REPLICATOR_SERVICE_ROLE_ARN
    ? { replicatorRole: role.environment.REPLICATOR_SERVICE_ROLE_ARN }
    : {}),
});

async function denials(records: RecordedRequest[], role: TaskRole): Promise<{ denied: string[]; seen: Set<string> }> {
  const denied: string[] = [];
  const seen = new Set<string>();
  for (const record of records)
    for (const request of iamRequestsOf(record, fnContext(role)).filter(isWellFormed)) {
      if (!record.entry && !record.task && !namedByTheTool(request)) continue;
      const key = `${request.action} ${request.resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const decision = await decide(role.policies, request);
      if (decision !== 'Allowed') denied.push(`${key} (${decision}) from ${record.adapterMethod} (${record.test})`);
    }
  return { denied, seen };
}

describe('IAM simulation of the compensator', () => {
  const { compensator } = synthRoles();
  if (!compensator) throw new Error('no compensator in the synthesized stack');
  const all = recordedRequests();
  const own = all.filter((r) => r.entry === COMPENSATOR_ENTRY);

  it('allows every request its handler made, with its dependent actions', async () => {
    const { denied, seen } = await denials(own, compensator);
    process.stdout.write(
      `compensator (its handler): ${own.length} recorded SDK requests → ${seen.size} IAM requests; denied ${denied.length}\n`,
    );
    expect(own.length).toBeGreaterThan(10);
    expect([...seen].some((k) => k.startsWith('route53:ChangeResourceRecordSets'))).toBe(true);
    expect([...seen].some((k) => k.startsWith('kafka:DeleteReplicator'))).toBe(true);
    expect([...seen].some((k) => k.startsWith('ecs:UpdateService'))).toBe(true);
    expect(denied).toEqual([]);
  });

  it("allows every recorded request of the rollback tasks' adapter methods it may call", async () => {
    const methods = new Set<string>(adapterMethodsOf(COMPENSATOR_SPEC.may));
    const records = all.filter(
      (r) =>
        r.adapterMethod &&
        (r.adapterMethod.split('.')[0] ?? '') in AWS_ADAPTERS &&
        methods.has(r.adapterMethod) &&
        // Not the approval functions' requests (their own roles: approval-functions.test.ts).
        (!r.entry || r.entry.startsWith('lambdas/tasks/') || r.entry === COMPENSATOR_ENTRY),
    );
    const { denied, seen } = await denials(records, compensator);
    process.stdout.write(
      `compensator (its adapter methods): ${records.length} recorded SDK requests → ${seen.size} IAM requests; denied ${denied.length}\n`,
    );
    expect(seen.size).toBeGreaterThan(10);
    expect(denied).toEqual([]);
  });

  it('has no permission its handler does not use: each is driven by its handler test or listed with the reason', () => {
    const driven = new Set(own.map((r) => r.adapterMethod).filter(Boolean));
    const undriven = COMPENSATOR_SPEC.may.filter(
      (p) => !((PERMISSIONS[p] as PermissionSpec).aws ?? []).some((m) => driven.has(m)),
    );
    expect(undriven.sort()).toEqual(Object.keys(NOT_DRIVEN).sort());
    // The client switches it returns as RollbackCutover does; nothing of the target's data plane, which it does not wire.
    expect(COMPENSATOR_SPEC.may).toContain('clientSwitch');
    for (const p of ['kafkaReadData', 'kafkaCommitOffsetsOnSource'] as const) {
      expect(TASKS.RollbackCutover.may).toContain(p);
      expect(COMPENSATOR_SPEC.may).not.toContain(p);
    }
  });
});
