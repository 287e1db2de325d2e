import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LOCAL_FENCES, LOCAL_SWITCHES } from '../../lambdas/adapters/local/registry';
import { InputInvalidError } from '../../lambdas/core/errors';
import { MigrationPlanSchema, type MigrationPlanInput } from '../../lambdas/core/plan/migration-plan';
import { RUNTIME_KINDS, RUNTIMES, runtimeIssues } from '../../lambdas/core/plan/runtimes';
import { awsClientSwitches } from '../../lambdas/tasks/shared/client-switches';
import { AWS_SWITCHES, cutoverSwitchFor } from '../../lambdas/tasks/shared/cutover-switch';
import { AWS_FENCES, writeFenceFor } from '../../lambdas/tasks/shared/write-fence';
import { task as validateInput } from '../../lambdas/tasks/validate-input/task';
import { serveTask } from '../../lambdas/workflow/define-task';

/**
 * Switch and fence kinds registered per runtime (lambdas/core/plan/runtimes.ts): ValidateInput refuses, naming the
 * field, a plan naming a kind its runtime has no adapter for, and each runtime's registry holds exactly its kinds.
 */

const ROOT = path.join(__dirname, '..', '..');
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders-1';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain JSON, edited freely below
type Raw = Record<string, any>;
const example = (name: string): Raw =>
  JSON.parse(readFileSync(path.join(ROOT, 'examples', `${name}.json`), 'utf8')) as Raw;
const LOCAL_SWITCH = { type: 'LOCAL_FILE', path: '/tmp/rehearsal/pointer.json' };
const clock = () => new Date('2026-11-24T12:00:00.000Z');

function servedValidateInput(plan: unknown, runtime?: 'AWS' | 'LOCAL'): Promise<unknown> {
  return serveTask(
    validateInput,
    'ValidateInput',
    { plan, executionId: EXECUTION_ARN },
    {
      clock,
      ...(runtime ? { runtime } : {}),
    },
  );
}

/** A KAFKA target reached through MirrorMaker 2, as the rehearsal runs it (no MSK Connect, the file pointer). */
function rehearsalShaped(): Raw {
  const plan = example('msk-to-automq-mirrormaker2');
  delete plan.replication.mskConnect;
  plan.cutover.switch = LOCAL_SWITCH;
  return plan;
}

/** The kinds the plan's schema accepts for a field, from the published JSON Schema. */
function schemaKinds(section: 'switch' | 'fence'): string[] {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'migration-input.schema.json'), 'utf8')) as {
    properties: { cutover: { properties: Record<string, { oneOf?: unknown[]; anyOf?: unknown[] }> } };
  };
  const union = schema.properties.cutover.properties[section]!;
  const options = (union.oneOf ?? union.anyOf ?? []) as Array<{ properties: { type: { const: string } } }>;
  return options.map((o) => o.properties.type.const).sort();
}

describe('runtime registries', () => {
  describe('the deployed ValidateInput (AWS)', () => {
    it('refuses a LOCAL_FILE switch with Migration.InputInvalid naming cutover.switch.type and the AWS kinds', async () => {
      // Prepare
      const plan = example('msk-to-serverless-replicator');
      plan.cutover.switch = LOCAL_SWITCH;
      // Act
      const refused = await servedValidateInput(plan, 'AWS').catch((err: unknown) => err);
      // Assess
      expect(refused).toBeInstanceOf(InputInvalidError);
      expect((refused as InputInvalidError).details).toEqual({
        issues: [
          {
            path: 'cutover.switch.type',
            message:
              'LOCAL_FILE is a cutover switch of the local rehearsal, not of the deployed workflow (AWS): expected SSM_PARAMETER, ROUTE53 or HOOK',
          },
        ],
      });
    });

    it('is the runtime when none is given: the stricter check', async () => {
      const plan = example('msk-to-serverless-replicator');
      plan.cutover.switch = LOCAL_SWITCH;

      await expect(servedValidateInput(plan)).rejects.toThrow(/cutover\.switch\.type: LOCAL_FILE is a cutover switch/);
    });

    it('requires MSK Connect settings for MirrorMaker 2, naming replication.mskConnect', async () => {
      const plan = example('msk-to-automq-mirrormaker2');
      delete plan.replication.mskConnect;

      await expect(servedValidateInput(plan, 'AWS')).rejects.toThrow(
        /replication\.mskConnect: required for MIRROR_MAKER_2 in AWS/,
      );
    });
  });

  describe('the rehearsal ValidateInput (LOCAL)', () => {
    it('accepts the file pointer and MirrorMaker 2 run by the tool', async () => {
      const out = (await servedValidateInput(rehearsalShaped(), 'LOCAL')) as {
        input: { cutover: { switch: unknown } };
      };

      expect(out.input.cutover.switch).toEqual(LOCAL_SWITCH);
    });

    it('refuses an SSM switch, which the rehearsal cannot move, naming cutover.switch.type', async () => {
      const plan = rehearsalShaped();
      plan.cutover.switch = { type: 'SSM_PARAMETER', parameterName: '/orders/kafka/bootstrap-servers' };

      await expect(servedValidateInput(plan, 'LOCAL')).rejects.toThrow(
        /cutover\.switch\.type: SSM_PARAMETER is a cutover switch of the deployed workflow \(AWS\), not of the local rehearsal: expected LOCAL_FILE/,
      );
    });

    it('accepts a KAFKA_ACL fence, which its sources enforce on their SCRAM listener', async () => {
      const plan = rehearsalShaped();
      plan.cutover.fence = { type: 'KAFKA_ACL', principals: ['User:payments-app'] };

      const out = (await servedValidateInput(plan, 'LOCAL')) as { input: { cutover: { fence: unknown } } };

      expect(out.input.cutover.fence).toEqual({ type: 'KAFKA_ACL', principals: ['User:payments-app'], host: '*' });
    });

    it('refuses an IAM_POLICY fence rather than ignore it, naming cutover.fence.type', async () => {
      const plan = rehearsalShaped();
      plan.cutover.fence = { type: 'IAM_POLICY', roleNames: ['orders-producer'] };

      await expect(servedValidateInput(plan, 'LOCAL')).rejects.toThrow(
        /cutover\.fence\.type: IAM_POLICY is a write fence of the deployed workflow \(AWS\), not of the local rehearsal: expected POINTER or KAFKA_ACL/,
      );
    });

    it('accepts a LOCAL_PROCESS client switch, which the deployed workflow refuses naming the entry', async () => {
      const plan = rehearsalShaped();
      plan.cutover.switches = [
        {
          type: 'LOCAL_PROCESS',
          name: 'payments-producer',
          role: 'PRODUCERS',
          application: 'payments-producer',
          environment: { BOOTSTRAP_SERVERS: '{bootstrapServers}' },
        },
      ];

      await expect(servedValidateInput(plan, 'LOCAL')).resolves.toBeDefined();
      const parsed = MigrationPlanSchema.parse(plan);
      expect(runtimeIssues(parsed, 'AWS')).toContainEqual({
        path: 'cutover.switches.0.type',
        message:
          'LOCAL_PROCESS is a client switch of the local rehearsal, not of the deployed workflow (AWS): expected LAMBDA_EVENT_SOURCE_MAPPING, ECS_SERVICE or MSK_CONNECT_CONNECTOR',
      });
      expect(() => awsClientSwitches()(parsed.cutover.switches[0]!)).toThrow(InputInvalidError);
    });
  });

  describe('the registries', () => {
    it('hold a factory for each kind their runtime declares, and every kind of the schema has a runtime', () => {
      expect(Object.keys(AWS_SWITCHES).sort()).toEqual([...RUNTIME_KINDS.AWS.switch].sort());
      expect(Object.keys(LOCAL_SWITCHES).sort()).toEqual([...RUNTIME_KINDS.LOCAL.switch].sort());
      expect(Object.keys(AWS_FENCES).sort()).toEqual(RUNTIME_KINDS.AWS.fence.filter((k) => k !== 'POINTER').sort());
      expect(Object.keys(LOCAL_FENCES).sort()).toEqual(RUNTIME_KINDS.LOCAL.fence.filter((k) => k !== 'POINTER').sort());
      for (const section of ['switch', 'fence'] as const) {
        const served = new Set(RUNTIMES.flatMap((r) => RUNTIME_KINDS[r][section] as readonly string[]));
        expect(schemaKinds(section).filter((k) => !served.has(k))).toEqual([]);
      }
    });

    it('refuse in the AWS adapters a LOCAL_FILE switch that reached them, naming the field', () => {
      const plan = MigrationPlanSchema.parse({ ...rehearsalShaped() } as MigrationPlanInput);

      expect(() => cutoverSwitchFor(plan)).toThrow(InputInvalidError);
      expect(() => cutoverSwitchFor(plan)).toThrow(/^cutover\.switch\.type: LOCAL_FILE is a cutover switch/);
    });

    it('make no write fence for POINTER and refuse nothing else AWS declares', async () => {
      const plan = MigrationPlanSchema.parse(example('msk-to-serverless-replicator') as MigrationPlanInput);

      await expect(writeFenceFor(plan, () => Promise.reject(new Error('not asked')))).resolves.toBeUndefined();
      expect(runtimeIssues(plan, 'AWS')).toEqual([]);
    });
  });
});
