import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { APPROVAL_TIMEOUT_MARGIN_SECONDS } from '../../lambdas/tasks/validate-input/task';
import {
  DEFAULT_GROUP_EXCLUDE,
  DEFAULT_TOPIC_EXCLUDE,
  MAX_APPROVAL_TIMEOUT_MINUTES,
  MAX_PLAN_BYTES,
  MigrationPlanSchema,
  settleSecondsOf,
  validateMigrationPlan,
  type MigrationPlanInput,
  type PlanIssue,
} from '../../lambdas/core/plan/migration-plan';

const SOURCE_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5f2a9c1e-7b3d-4e8f-9a01-2b3c4d5e6f70-2';
const TARGET_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_target-AbCdEf';
const MSK_CONNECT = {
  customPluginArn:
    'arn:aws:kafkaconnect:eu-west-1:123456789012:custom-plugin/mm2/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-1',
  customPluginRevision: 1,
  vpc: { subnetIds: ['subnet-0f1e2d3c4b5a69788'], securityGroupIds: ['sg-0fedcba9876543210'] },
};

/** The smallest plan a person would write: MSK → MSK Serverless with MSK Replicator, e-mail approval, SSM switch. */
function minimalPlan(): MigrationPlanInput {
  return {
    migrationId: 'orders-to-serverless',
    source: { clusterArn: SOURCE_ARN },
    target: { type: 'MSK_SERVERLESS', clusterArn: TARGET_ARN },
    replication: { engine: 'MSK_REPLICATOR' },
    approval: { email: ['platform-lead@example.com'] },
    cutover: { switch: { type: 'SSM_PARAMETER', parameterName: '/orders/kafka/bootstrap-servers' } },
  };
}

/** A KAFKA target (AutoMQ) reached by address, MirrorMaker 2 on MSK Connect. */
function kafkaPlan(): MigrationPlanInput {
  return {
    ...minimalPlan(),
    target: {
      type: 'KAFKA',
      bootstrapServers: ['automq-0.internal:9092'],
      auth: { mechanism: 'TLS' },
    },
    replication: { engine: 'MIRROR_MAKER_2', mskConnect: MSK_CONNECT },
  };
}

/** The local rehearsal's shape: MirrorMaker 2 run by the tool, a SCRAM target, the file pointer. */
function localScramPlan(): unknown {
  return edited(kafkaPlan(), (p) => {
    p.target.auth = { mechanism: 'SCRAM-SHA-512', secretArn: SECRET_ARN };
    delete p.replication.mskConnect;
    p.cutover.switch = { type: 'LOCAL_FILE', path: '/tmp/rehearsal/bootstrap' };
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write any JSON, including keys the contract does not know
type EditablePlan = Record<string, any>;

/** A deep copy with `edit` applied (inputs are plain JSON, as an execution input is). */
function edited(base: MigrationPlanInput, edit: (plan: EditablePlan) => void): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as EditablePlan;
  edit(copy);
  return copy;
}

function issuesOf(input: unknown): PlanIssue[] {
  const result = validateMigrationPlan(input);
  if (result.valid) throw new Error('expected the plan to be invalid, but it is valid');
  return [...result.issues];
}

function issueAt(input: unknown, path: string): PlanIssue {
  const issues = issuesOf(input);
  const found = issues.find((i) => i.path === path);
  if (!found) throw new Error(`no issue at ${path}; issues: ${JSON.stringify(issues)}`);
  return found;
}

describe('the migration plan schema', () => {
  describe('accepts and completes', () => {
    it('accepts a minimal plan and applies the defaults a careful operator would choose', () => {
      // Act
      const result = validateMigrationPlan(minimalPlan());

      // Assess
      expect(result.valid).toBe(true);
      if (!result.valid) return;
      expect(result.issues).toEqual([]);
      expect(result.plan.source.auth).toEqual({ mechanism: 'IAM' });
      expect(result.plan.target.auth).toEqual({ mechanism: 'IAM' });
      expect(result.plan.replication).toMatchObject({
        topics: { include: ['.*'], exclude: DEFAULT_TOPIC_EXCLUDE },
        consumerGroups: { include: ['.*'], exclude: DEFAULT_GROUP_EXCLUDE },
        startingPosition: 'EARLIEST',
        offsetSyncMode: 'LEGACY',
        canary: true,
      });
      expect(result.plan.gates).toEqual({
        maxLagRecords: 1000,
        consecutiveHealthyChecks: 3,
        pollIntervalSeconds: 60,
        catchUpTimeoutMinutes: 1440,
        canaryTimeoutSeconds: 15,
      });
      expect(result.plan.approval).toEqual({
        email: ['platform-lead@example.com'],
        approvers: [],
        timeoutMinutes: 1440,
      });
      expect(result.plan.cutover).toMatchObject({
        rollbackWindowMinutes: 60,
        drainTimeoutMinutes: 15,
        clientPollIntervalSeconds: 1,
      });
      expect(result.plan.cutover.fenceSettleSeconds).toBeUndefined();
    });

    it('settles twice the clients poll interval with a pointer fence, not at all with a broker fence', () => {
      const pointer = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => (p.cutover = { ...p.cutover, clientPollIntervalSeconds: 0.25 })),
      );
      const broker = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => (p.cutover = { ...p.cutover, fence: { type: 'KAFKA_ACL' } })),
      );
      const declared = MigrationPlanSchema.parse(
        edited(
          minimalPlan(),
          (p) => (p.cutover = { ...p.cutover, fence: { type: 'KAFKA_ACL' }, fenceSettleSeconds: 3 }),
        ),
      );

      expect(settleSecondsOf(pointer)).toBe(0.5);
      expect(settleSecondsOf(broker)).toBe(0);
      expect(settleSecondsOf(declared)).toBe(3);
    });

    it('accepts a fence settle in fractions of a second, for clients that notice a pointer change within it', () => {
      const plan = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => (p.cutover = { ...p.cutover, fenceSettleSeconds: 0.5 })),
      );
      expect(plan.cutover.fenceSettleSeconds).toBe(0.5);
    });

    it('excludes Kafka internal topics such as __consumer_offsets by default', () => {
      const plan = MigrationPlanSchema.parse(minimalPlan());
      expect(plan.replication.topics.exclude).toContain('__.*');
    });

    it('fills a partly given section: a topic include list keeps the default exclude list', () => {
      const plan = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => (p.replication.topics = { include: ['orders\\..*'] })),
      );
      expect(plan.replication.topics).toEqual({ include: ['orders\\..*'], exclude: DEFAULT_TOPIC_EXCLUDE });
    });

    it('defaults SCRAM credentials to TLS', () => {
      const plan = MigrationPlanSchema.parse(localScramPlan());
      expect(plan.target.auth).toEqual({ mechanism: 'SCRAM-SHA-512', secretArn: SECRET_ARN, tls: true });
    });

    it('defaults a Route 53 switch to a CNAME record', () => {
      const plan = MigrationPlanSchema.parse(
        edited(
          kafkaPlan(),
          (p) =>
            (p.cutover.switch = {
              type: 'ROUTE53',
              hostedZoneId: 'Z0123456789ABCDEFGHIJ',
              recordName: 'kafka.example.com',
            }),
        ),
      );
      expect(plan.cutover.switch).toEqual({
        type: 'ROUTE53',
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        recordName: 'kafka.example.com',
        recordType: 'CNAME',
      });
    });

    it('accepts its own output again unchanged (later states may re-parse $.input)', () => {
      for (const input of [kafkaPlan(), localScramPlan()]) {
        const once = MigrationPlanSchema.parse(input);
        expect(MigrationPlanSchema.parse(once)).toEqual(once);
      }
    });

    it('refuses a SCRAM-only target for MirrorMaker 2 on MSK Connect, whose workers the target hosts', () => {
      const issue = issueAt(
        edited(kafkaPlan(), (p) => (p.target.auth = { mechanism: 'SCRAM-SHA-512', secretArn: SECRET_ARN })),
        'target.auth.mechanism',
      );
      expect(issue.message).toMatch(/a SCRAM-SHA-512-only target cannot host them. Open a TLS \(or IAM\) listener/);
    });
  });

  describe('the assessment section', () => {
    it('defaults to 30% headroom, nothing acknowledged and no profile corrections', () => {
      const parsed = MigrationPlanSchema.parse(minimalPlan());
      expect(parsed.assessment).toEqual({ headroom: 0.3, acknowledge: [] });
    });

    it('carries acknowledged finding ids and quota corrections to the Assess task', () => {
      const parsed = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => {
          p.assessment = {
            headroom: 0.2,
            acknowledge: ['compacted-partitions'],
            profileOverrides: { quotas: { partitions: 4800 } },
          };
        }),
      );
      expect(parsed.assessment).toEqual({
        headroom: 0.2,
        acknowledge: ['compacted-partitions'],
        profileOverrides: { quotas: { partitions: 4800 } },
      });
    });

    it('rejects a headroom outside 0–0.95 and an unknown key in the profile corrections, by path', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.assessment = { headroom: 1 })),
          'assessment.headroom',
        ).message,
      ).toBe('expected a fraction from 0 to 0.95');
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.assessment = { profileOverrides: { quota: {} } })),
          'assessment.profileOverrides.quota',
        ).message,
      ).toMatch(/unknown field "quota"/);
    });
  });

  describe('the validation section', () => {
    it('is absent unless given, so ValidateTarget derives the principals from the source ACLs', () => {
      expect(MigrationPlanSchema.parse(minimalPlan()).validation).toBeUndefined();
    });

    it("carries the listed principals and the target's super users to ValidateTarget", () => {
      const parsed = MigrationPlanSchema.parse(
        edited(minimalPlan(), (p) => {
          p.validation = {
            principals: [{ principal: 'User:orders-app', topics: ['orders'], operations: ['WRITE', 'DESCRIBE'] }],
          };
        }),
      );
      expect(parsed.validation).toEqual({
        principals: [{ principal: 'User:orders-app', topics: ['orders'], operations: ['WRITE', 'DESCRIBE'] }],
        superUsers: [],
      });
    });

    it('rejects a principal without a type, an unknown operation, an entry naming no resource and an unknown key, by path', () => {
      const issues = issuesOf(
        edited(minimalPlan(), (p) => {
          p.validation = {
            principals: [
              { principal: 'orders-app', topics: ['orders'], operations: ['READ'] },
              { principal: 'User:billing', groups: ['billing'], operations: ['CONSUME'] },
              { principal: 'User:audit', operations: ['READ'] },
              { principal: 'User:x', topics: ['t'], operations: ['READ'], host: '10.0.0.1' },
            ],
          };
        }),
      );
      expect(issues.find((i) => i.path === 'validation.principals.0.principal')?.message).toBe(
        'expected a Kafka principal (User:orders-app, User:CN=orders,OU=apps)',
      );
      expect(issues.map((i) => i.path)).toEqual(
        expect.arrayContaining([
          'validation.principals.1.operations.0',
          'validation.principals.2',
          'validation.principals.3.host',
        ]),
      );
      expect(issues.find((i) => i.path === 'validation.principals.2')?.message).toBe(
        'expected at least one topic or group for this principal',
      );
    });
  });

  describe('shape', () => {
    it('rejects an unknown key at the root with its name', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.rollbackWindowMinutes = 30)),
        'rollbackWindowMinutes',
      );
      expect(issue.message).toMatch(
        /unknown field "rollbackWindowMinutes".*expected one of: migrationId, source, target/,
      );
    });

    it("rejects an unknown key inside a union variant with the variant's allowed keys", () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.cutover.switch.ttl = 60)),
        'cutover.switch.ttl',
      );
      expect(issue.message).toBe('unknown field "ttl" (expected one of: type, parameterName)');
    });

    it('rejects unknown keys three levels down and inside array entries', () => {
      const input = edited(kafkaPlan(), (p) => {
        p.replication.mskConnect.vpc.subnets = ['subnet-0f1e2d3c4b5a69788'];
        p.approval.approvers = [{ email: 'a@example.com', phone: '+1' }];
      });
      const paths = issuesOf(input).map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['replication.mskConnect.vpc.subnets', 'approval.approvers.0.phone']),
      );
    });

    it.each([
      ['a string', 'orders'],
      ['an array', []],
      ['null', null],
      ['a number', 42],
    ])('rejects %s as the whole input', (_what, input) => {
      expect(issuesOf(input)).toEqual([
        { path: '(root)', message: expect.stringMatching(/^expected object, received /) },
      ]);
    });

    it('rejects an empty object with every required section named', () => {
      expect(issuesOf({}).map((i) => i.path)).toEqual([
        'migrationId',
        'source',
        'target',
        'replication',
        'approval',
        'cutover',
      ]);
    });

    it('reports a missing required field as required, with what is expected', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => delete p.source.clusterArn),
        'source.clusterArn',
      );
      expect(issue.message).toBe('required: expected string');
    });

    it('lists the allowed values of an unknown union type', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.cutover.switch = { type: 'CONSUL', key: 'x' })),
        'cutover.switch.type',
      );
      expect(issue.message).toBe('expected one of: SSM_PARAMETER, ROUTE53, HOOK, LOCAL_FILE');
    });

    it.each([
      ['ab', 'too short'],
      ['Orders', 'upper case'],
      ['orders_prod', 'an underscore'],
      ['orders-', 'a trailing hyphen'],
      ['a'.repeat(41), 'too long'],
    ])('rejects the migrationId %s (%s): it is used in resource names', (migrationId) => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.migrationId = migrationId)),
        'migrationId',
      );
      expect(issue.message).toMatch(/lowercase slug of 3–40 characters/);
    });

    it('rejects a source that is not an MSK cluster ARN', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.source.clusterArn = 'arn:aws:kafka:eu-west-1:123456789012:replicator/x/y')),
        'source.clusterArn',
      );
      expect(issue.message).toMatch(/expected an MSK cluster ARN/);
    });

    it('lists every problem of a plan at once, each on its own path', () => {
      const input = edited(minimalPlan(), (p) => {
        p.migrationId = 'X';
        p.gates = { pollIntervalSeconds: 5 };
        p.approval.email = ['not-an-address'];
        p.cutover.switch = { type: 'HOOK', functionArn: 'my-function' };
      });
      expect(
        issuesOf(input)
          .map((i) => i.path)
          .sort(),
      ).toEqual(['approval.email.0', 'cutover.switch.functionArn', 'gates.pollIntervalSeconds', 'migrationId']);
    });
  });

  describe('rules between fields', () => {
    it('rejects a target that is the source cluster', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.target.clusterArn = SOURCE_ARN)),
        'target.clusterArn',
      );
      expect(issue.message).toMatch(/target is the source cluster/);
    });

    it('rejects MSK Replicator towards a KAFKA target', () => {
      const issue = issueAt(
        edited(kafkaPlan(), (p) => (p.replication = { engine: 'MSK_REPLICATOR' })),
        'replication.engine',
      );
      expect(issue.message).toMatch(/MSK clusters only; a KAFKA target needs MIRROR_MAKER_2/);
    });

    it('rejects MSK Replicator between accounts', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.target.clusterArn = TARGET_ARN.replace('123456789012', '210987654321'))),
        'target.clusterArn',
      );
      expect(issue.message).toMatch(
        /one account \(in one Region or across Regions\): source 123456789012\/eu-west-1, target 210987654321\/eu-west-1/,
      );
    });

    it('accepts MSK Replicator across Regions of one account (cross-region replication)', () => {
      const result = validateMigrationPlan(
        edited(minimalPlan(), (p) => (p.target.clusterArn = TARGET_ARN.replace('eu-west-1', 'us-east-1'))),
      );
      expect(result.issues).toEqual([]);
    });

    it('rejects MSK Replicator towards a target given only by address', () => {
      const input = edited(
        minimalPlan(),
        (p) => (p.target = { type: 'MSK_PROVISIONED', bootstrapServers: ['b-1.x.kafka.eu-west-1.amazonaws.com:9098'] }),
      );
      expect(issueAt(input, 'target.bootstrapServers').message).toMatch(/needs the target by ARN/);
    });

    it('names the pattern and the regex error of a topic pattern that does not compile', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.replication.topics = { include: ['orders', 'payments-(eu'] })),
        'replication.topics.include.1',
      );
      expect(issue.message).toMatch(/^"payments-\(eu" is not a valid regular expression: .*Unterminated group/);
    });

    it('checks consumer-group exclude patterns too', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.replication.consumerGroups = { exclude: ['[a-'] })),
          'replication.consumerGroups.exclude.0',
        ).message,
      ).toMatch(/"\[a-" is not a valid regular expression/);
    });

    it('rejects an approval timeout longer than the approval states allow (14 days)', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.approval.timeoutMinutes = 20_161)),
        'approval.timeoutMinutes',
      );
      expect(issue.message).toBe('expected at most 20160 minutes (the approval states allow 14 days)');
    });

    it("takes every approval state's timeout from the plan, through ValidateInput's settings", () => {
      const asl = JSON.parse(readFileSync(path.join(__dirname, '../../statemachine/migration.asl.json'), 'utf8')) as {
        States: Record<string, { Resource?: string; TimeoutSeconds?: number; TimeoutSecondsPath?: string }>;
      };
      const approvals = Object.entries(asl.States).filter(([, s]) => s.Resource?.includes('waitForTaskToken'));
      expect(approvals.map(([name]) => name).sort()).toEqual([
        'CutoverApproval',
        'FailbackDecision',
        'FinalizeApproval',
      ]);
      for (const [, state] of approvals) {
        expect(state.TimeoutSecondsPath).toBe('$.settings.approvalTimeoutSeconds');
        expect(state.TimeoutSeconds).toBeUndefined();
      }
      // The longest plan timeout plus the margin stays inside Node's timers (the local executor overflows past 24.8 days).
      expect(MAX_APPROVAL_TIMEOUT_MINUTES * 60 + APPROVAL_TIMEOUT_MARGIN_SECONDS).toBeLessThan(2 ** 31 / 1000);
    });

    it("rejects a catch-up timeout longer than a Standard workflow's one year", () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.gates = { catchUpTimeoutMinutes: 600_000 })),
          'gates.catchUpTimeoutMinutes',
        ).message,
      ).toMatch(/at most 525600 minutes/);
    });

    it.each([
      [9, /at least 10 seconds/],
      [3601, /at most 3600 seconds/],
      [30.5, /whole number of seconds/],
    ])('rejects a poll interval of %s seconds', (pollIntervalSeconds, message) => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.gates = { pollIntervalSeconds })),
          'gates.pollIntervalSeconds',
        ).message,
      ).toMatch(message);
    });

    it('rejects a catch-up timeout the consecutive healthy checks cannot fit in', () => {
      const input = edited(
        minimalPlan(),
        (p) => (p.gates = { consecutiveHealthyChecks: 10, pollIntervalSeconds: 600, catchUpTimeoutMinutes: 100 }),
      );
      expect(issueAt(input, 'gates.catchUpTimeoutMinutes').message).toMatch(
        /more than gates.consecutiveHealthyChecks × gates.pollIntervalSeconds \(10 × 600 s = 100 min\)/,
      );
    });

    it('requires at least one approval channel', () => {
      const issue = issueAt(
        edited(minimalPlan(), (p) => (p.approval = { approvers: ['platform-lead@example.com'] })),
        'approval',
      );
      expect(issue.message).toMatch(/at least one approval channel: approval.email .* or approval.slack/);
    });

    it('rejects an approver known only by Slack ID when Slack is not configured', () => {
      const input = edited(
        minimalPlan(),
        (p) =>
          (p.approval.approvers = [
            'platform-lead@example.com',
            'U0123ABCD',
            { slackUserId: 'U0456EFGH', name: 'Ana' },
          ]),
      );
      expect(issuesOf(input).map((i) => i.path)).toEqual(['approval.approvers.1', 'approval.approvers.2']);
      expect(issueAt(input, 'approval.approvers.1').message).toMatch(/configure approval.slack.channelId/);
    });

    it('accepts Slack approvers once Slack is configured', () => {
      const input = edited(minimalPlan(), (p) => {
        p.approval.slack = { channelId: 'C0123456789' };
        p.approval.approvers = ['U0123ABCD', { slackUserId: 'U0456EFGH', name: 'Ana' }];
      });
      expect(validateMigrationPlan(input).valid).toBe(true);
    });

    it('rejects an approver that is neither an e-mail address nor a Slack user ID', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.approval.approvers = ['ana'])),
          'approval.approvers.0',
        ).message,
      ).toMatch(/expected an e-mail address, a Slack user ID/);
    });

    it('rejects an approver object with neither email, slackUserId nor iamArn', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.approval.approvers = [{ name: 'Ana' }])),
          'approval.approvers.0',
        ).message,
      ).toMatch(/an email, a slackUserId or an iamArn/);
    });

    it('accepts IAM user, role and role-session ARNs as approvers, bare or as {iamArn, name}', () => {
      // Prepare
      const approvers = [
        'arn:aws:iam::123456789012:user/ops/erin',
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ops_0123456789abcdef',
        'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Ops_0123456789abcdef/alice@example.com',
        { iamArn: 'arn:aws-us-gov:iam::123456789012:role/MigrationApprovers', name: 'Approvers' },
      ];
      // Act
      const result = validateMigrationPlan(edited(minimalPlan(), (p) => (p.approval.approvers = approvers)));
      // Assess
      expect(result.valid).toBe(true);
    });

    it.each([
      ['a session name alone', 'alice-session'],
      ['an account root', 'arn:aws:iam::123456789012:root'],
      ['a federated user', 'arn:aws:sts::123456789012:federated-user/bob'],
      ['a role ARN without account', 'arn:aws:iam:::role/Ops'],
    ])('rejects %s as an approver, naming the forms it accepts', (_what, entry) => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.approval.approvers = [entry])),
          'approval.approvers.0',
        ).message,
      ).toMatch(/IAM user\/role\/role-session ARN/);
    });

    it('leaves MirrorMaker 2 without MSK Connect to the runtime (test/unit/runtimes.test.ts)', () => {
      expect(validateMigrationPlan(edited(kafkaPlan(), (p) => delete p.replication.mskConnect)).valid).toBe(true);
    });

    it('rejects MSK Connect settings with MSK Replicator', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.replication.mskConnect = MSK_CONNECT)),
          'replication.mskConnect',
        ).message,
      ).toMatch(/apply to MIRROR_MAKER_2 only/);
    });

    it('rejects ENHANCED offset sync with MirrorMaker 2', () => {
      expect(
        issueAt(
          edited(kafkaPlan(), (p) => (p.replication.offsetSyncMode = 'ENHANCED')),
          'replication.offsetSyncMode',
        ).message,
      ).toMatch(/MSK Replicator mode/);
    });

    it('requires a worker configuration revision with its ARN', () => {
      const input = edited(
        kafkaPlan(),
        (p) =>
          (p.replication.mskConnect.workerConfigurationArn =
            'arn:aws:kafkaconnect:eu-west-1:123456789012:worker-configuration/mm2/abc-1'),
      );
      expect(issueAt(input, 'replication.mskConnect.workerConfigurationRevision').message).toMatch(/go together/);
    });

    it('creates only MSK targets', () => {
      const input = edited(
        kafkaPlan(),
        (p) =>
          (p.target = {
            type: 'KAFKA',
            create: {
              vpc: {
                subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1b2c3d4e5f6071829'],
                securityGroupIds: ['sg-0123456789abcdef0'],
              },
            },
            auth: { mechanism: 'PLAINTEXT' },
          }),
      );
      expect(issueAt(input, 'target.create').message).toMatch(/creates MSK clusters only/);
    });

    it('requires exactly one way to the target', () => {
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.target = { type: 'MSK_SERVERLESS' })),
          'target',
        ).message,
      ).toMatch(/exactly one of target.clusterArn/);
      const both = edited(minimalPlan(), (p) => (p.target.bootstrapServers = ['b-1.example.com:9098']));
      expect(issueAt(both, 'target.bootstrapServers').message).toMatch(
        /got target.clusterArn and target.bootstrapServers/,
      );
    });

    it('requires the authentication of a KAFKA target', () => {
      expect(
        issueAt(
          edited(kafkaPlan(), (p) => delete p.target.auth),
          'target.auth',
        ).message,
      ).toMatch(/required for a KAFKA target/);
    });

    it('rejects a KAFKA target given by an MSK ARN', () => {
      expect(
        issueAt(
          edited(
            kafkaPlan(),
            (p) => (p.target = { type: 'KAFKA', clusterArn: TARGET_ARN, auth: { mechanism: 'IAM' } }),
          ),
          'target.clusterArn',
        ).message,
      ).toMatch(/reached by target.bootstrapServers/);
    });

    it('rejects SCRAM towards MSK Serverless (IAM only)', () => {
      const input = edited(
        minimalPlan(),
        (p) => (p.target.auth = { mechanism: 'SCRAM-SHA-512', secretArn: SECRET_ARN }),
      );
      expect(issueAt(input, 'target.auth.mechanism').message).toBe(
        'MSK Serverless accepts IAM access control only, not SCRAM-SHA-512',
      );
    });

    it('requires broker sizing to create an MSK provisioned cluster, and refuses it for MSK Serverless', () => {
      const vpc = {
        subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1b2c3d4e5f6071829'],
        securityGroupIds: ['sg-0123456789abcdef0'],
      };
      const provisioned = {
        kafkaVersion: '3.9.x',
        brokerInstanceType: 'kafka.m7g.large',
        numberOfBrokerNodes: 2,
        volumeSizeGiB: 100,
      };
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.target = { type: 'MSK_PROVISIONED', create: { vpc } })),
          'target.create.provisioned',
        ).message,
      ).toMatch(/required to create an MSK provisioned cluster/);
      expect(
        issueAt(
          edited(minimalPlan(), (p) => (p.target = { type: 'MSK_SERVERLESS', create: { vpc, provisioned } })),
          'target.create.provisioned',
        ).message,
      ).toMatch(/no brokers to size/);
    });

    it('requires a broker count that the subnets divide', () => {
      const input = edited(minimalPlan(), (p) => {
        p.target = {
          type: 'MSK_PROVISIONED',
          create: {
            vpc: {
              subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1b2c3d4e5f6071829', 'subnet-2c3d4e5f607182930'],
              securityGroupIds: ['sg-0123456789abcdef0'],
            },
            provisioned: {
              kafkaVersion: '3.9.x',
              brokerInstanceType: 'kafka.m7g.large',
              numberOfBrokerNodes: 4,
              volumeSizeGiB: 100,
            },
          },
        };
      });
      expect(issueAt(input, 'target.create.provisioned.numberOfBrokerNodes').message).toBe(
        'expected a multiple of the 3 subnets (MSK spreads brokers evenly across them), got 4',
      );
    });

    it('rejects two different targets for the Route 53 record', () => {
      const input = edited(minimalPlan(), (p) => {
        p.cutover.switch = {
          type: 'ROUTE53',
          hostedZoneId: 'Z0123456789ABCDEFGHIJ',
          recordName: 'kafka.example.com',
          targetValue: 'a.example.com',
        };
        p.cutover.targetValue = 'b.example.com';
      });
      expect(issueAt(input, 'cutover.targetValue').message).toMatch(/differ: give the value once/);
    });

    it('refuses a plan too large to travel in the Step Functions state, and still lists its other problems', () => {
      const include = Array.from({ length: MAX_PLAN_BYTES / 16 }, (_, i) => `orders-${i}\\..*`);
      const input = edited(minimalPlan(), (p) => {
        p.replication.topics = { include };
        p.gates = { pollIntervalSeconds: 1 };
      });
      const issues = issuesOf(input);
      expect(issues.map((i) => i.path)).toEqual(['(root)', 'gates.pollIntervalSeconds']);
      expect(issues[0]?.message).toMatch(/^the plan is \d+ bytes \(defaults applied\); expected at most 131072 bytes/);
    });

    it('refuses tags that would forge the ownership tags rollback relies on', () => {
      const input = edited(
        minimalPlan(),
        (p) => (p.tags = { 'cost-center': 'orders', 'msk-migration:execution': 'someone-else' }),
      );
      expect(issueAt(input, 'tags.msk-migration:execution').message).toMatch(/reserved \(the ownership tags/);
    });
  });

  describe('cutover.fence', () => {
    it('defaults to the pointer only, and a KAFKA_ACL fence to every principal on every host', () => {
      expect(MigrationPlanSchema.parse(minimalPlan()).cutover.fence).toEqual({ type: 'POINTER' });
      const plan = { ...minimalPlan(), cutover: { ...minimalPlan().cutover, fence: { type: 'KAFKA_ACL' } } };
      expect(MigrationPlanSchema.parse(plan).cutover.fence).toEqual({
        type: 'KAFKA_ACL',
        principals: ['User:*'],
        host: '*',
      });
    });

    it('refuses an IAM_POLICY fence with a settle shorter than the minute IAM takes to apply a policy', () => {
      const plan = {
        ...minimalPlan(),
        cutover: {
          ...minimalPlan().cutover,
          fenceSettleSeconds: 30,
          fence: { type: 'IAM_POLICY', roleNames: ['orders-producer'] },
        },
      };
      expect(issueAt(plan, 'cutover.fenceSettleSeconds').message).toMatch(/at least 60 s with an IAM_POLICY fence/);
    });

    it('accepts an IAM_POLICY fence with a settle of a minute, its policy name defaulted', () => {
      const plan = {
        ...minimalPlan(),
        cutover: {
          ...minimalPlan().cutover,
          fenceSettleSeconds: 60,
          fence: { type: 'IAM_POLICY', roleNames: ['orders-producer'] },
        },
      };
      expect(MigrationPlanSchema.parse(plan).cutover.fence).toEqual({
        type: 'IAM_POLICY',
        roleNames: ['orders-producer'],
        policyName: 'msk-migration-write-fence',
      });
    });

    it('refuses a role given by ARN instead of by name', () => {
      const plan = {
        ...minimalPlan(),
        cutover: {
          ...minimalPlan().cutover,
          fenceSettleSeconds: 60,
          fence: { type: 'IAM_POLICY', roleNames: ['arn:aws:iam::123456789012:role/orders-producer'] },
        },
      };
      expect(issueAt(plan, 'cutover.fence.roleNames.0').message).toMatch(/an IAM role name/);
    });
  });
});
