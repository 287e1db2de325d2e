import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkPlan } from '../../lambdas/core/plan/check-plan';
import { validateMigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';

/**
 * Every problem of a plan in one run (#13): the field problems, the rules across fields whose fields are valid, what
 * the runtime has no adapter for and the history budget, together, not one round trip per problem.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain JSON, edited freely below
type Raw = Record<string, any>;
const example = (name: string): Raw =>
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', `${name}.json`), 'utf8')) as Raw;

const pathsOf = (input: unknown): string[] => {
  const checked = checkPlan(input, 'AWS', WORKFLOW_DEFINITION);
  return checked.valid ? [] : checked.issues.map((i) => i.path).sort();
};

describe('checkPlan reports every problem at once', () => {
  it('names field, cross-field, runtime and history-budget problems of one plan together', () => {
    // Prepare: a bad e-mail and a bad broker address (fields), MSK Replicator to a KAFKA target (across sections),
    // the rehearsal's file pointer (runtime), a day-long drain (history budget).
    const plan = example('msk-to-serverless-replicator');
    plan.approval.email = ['not-an-address'];
    plan.target = { type: 'KAFKA', bootstrapServers: ['kafka-0.internal:9092', 'no port'], auth: { mechanism: 'TLS' } };
    plan.cutover.switch = { type: 'LOCAL_FILE', path: '/tmp/pointer.json' };
    plan.cutover.drainTimeoutMinutes = 1440;

    // Act
    const paths = pathsOf(plan);

    // Assess
    expect(paths).toEqual(
      [
        'approval.email.0',
        'target.bootstrapServers.1',
        'replication.engine',
        'cutover.switch.type',
        'cutover.drainTimeoutMinutes',
      ].sort(),
    );
  });

  it('runs a rule across sections when another field of the same section is wrong', () => {
    const plan = example('msk-to-serverless-replicator');
    plan.target.clusterArn = plan.source.clusterArn;
    plan.target.tags = { bad: 1 };
    plan.replication.startingPosition = 'SOMEWHERE';

    const issues = validateMigrationPlan(plan).issues.map((i) => i.path);

    expect(issues).toEqual(expect.arrayContaining(['target.clusterArn', 'replication.startingPosition']));
  });

  it('skips a rule whose own fields are wrong rather than guess (no second issue on a bad engine)', () => {
    const plan = example('msk-to-serverless-replicator');
    plan.replication.engine = 'ROBOCOPY';
    plan.target = { type: 'KAFKA', bootstrapServers: ['kafka-0.internal:9092'], auth: { mechanism: 'TLS' } };

    expect(pathsOf(plan)).toEqual(['replication.engine']);
  });
});
