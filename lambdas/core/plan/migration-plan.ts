import * as z from 'zod';
import { IAM_APPROVER_ARN } from '../approval/iam-principal';
import { QuotaOverridesSchema } from '../profiles/profile';
import { lazySchema } from '../lazy-schema';

/**
 * The execution input: one migration plan. ONE schema, used by the ValidateInput task, the CLI (`validate`, and
 * `start` before StartExecution) and published as JSON Schema (schema/migration-input.schema.json, generated from
 * this file by `npm run schema`). Types are inferred from it: `MigrationPlanInput` is what an operator writes,
 * `MigrationPlan` what every later state reads under `$.input` (defaults applied).
 *
 * Strict at every level: an unknown key is an error, so a misspelt optional field (`rollbackWindowMinute`) is
 * reported instead of silently falling back to its default. Rules that relate several fields follow the shape, each
 * reported on the field a person has to change.
 *
 * The schemas are built on first use (lazySchema): every task function's bundle holds this module, and builds them
 * when it first parses a plan, not while it is imported.
 */

/** A Standard workflow runs for at most one year: every time box of the plan must fit in it. */
export const ONE_YEAR_MINUTES = 365 * 24 * 60;
/**
 * The longest an approval may wait. The approval states time out at approval.timeoutMinutes plus a margin
 * (TimeoutSecondsPath, `$.settings.approvalTimeoutSeconds`, computed by ValidateInput); the plan's own deadline is
 * enforced first by the approval service (a Scheduler expiry in AWS, a timer locally), which fails the task as rejected
 * and audits it. 14 days also keeps the local interpreter's timers under Node's 24.8-day cap.
 */
export const MAX_APPROVAL_TIMEOUT_MINUTES = 14 * 24 * 60;

// ---- building blocks ----

/**
 * A strict object whose unknown-key error lists the keys that are allowed here (the formatter turns it into one
 * issue per unknown key, on that key's path).
 */
function strict<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `expected one of: ${allowed}` : undefined),
  });
}

const ARN_PARTITION = 'arn:aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d';
const ACCOUNT = '\\d{12}';

/** MSK cluster ARN (provisioned and Serverless alike): `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>-<suffix>`. */
const MSK_CLUSTER_ARN = new RegExp(
  `^${ARN_PARTITION}:kafka:${REGION}:${ACCOUNT}:cluster/[A-Za-z0-9][A-Za-z0-9-]{0,63}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[a-z0-9]+$`,
);
const SECRET_ARN = new RegExp(`^${ARN_PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]+$`);
const LAMBDA_FUNCTION_ARN = new RegExp(
  `^${ARN_PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$`,
);
const CUSTOM_PLUGIN_ARN = new RegExp(
  `^${ARN_PARTITION}:kafkaconnect:${REGION}:${ACCOUNT}:custom-plugin/[A-Za-z0-9][A-Za-z0-9/_.-]*$`,
);
const WORKER_CONFIGURATION_ARN = new RegExp(
  `^${ARN_PARTITION}:kafkaconnect:${REGION}:${ACCOUNT}:worker-configuration/[A-Za-z0-9][A-Za-z0-9/_.-]*$`,
);

export const MIGRATION_ID = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const BOOTSTRAP_SERVER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
/** Slack IDs, as lambdas/core/approval/evidence.ts reads them. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const SSM_PARAMETER_NAME = /^(?:\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/;
const HOSTED_ZONE_ID = /^(?:\/hostedzone\/)?Z[A-Z0-9]{1,31}$/;
const DNS_NAME = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}\.?$/;
const KAFKA_VERSION = /^\d+(?:\.\d+){1,3}(?:\.x)?(?:\.tiered)?$/;
const BROKER_INSTANCE_TYPE = /^(?:kafka|express)\.[a-z0-9]+\.[a-z0-9]+$/;
const TAG_KEY = /^[A-Za-z0-9 _.:/=+@-]{1,128}$/;
const TAG_VALUE = /^[A-Za-z0-9 _.:/=+@-]{0,256}$/;
/** Tag prefixes nobody may set from the input: AWS's own, and ours (ownership tags decide what rollback deletes). */
const RESERVED_TAG_PREFIXES = ['aws:', 'msk-migration:'];

const PATTERN_HINTS = new Map<string, string>();
/** A string matching `regex`; its error (and the field reference in docs/input-contract.md) says what is expected. */
function pattern(regex: RegExp, expected: string) {
  PATTERN_HINTS.set(regex.source, expected);
  return z.string().regex(regex, { error: `expected ${expected}` });
}
/**
 * What a JSON Schema `pattern` of this schema stands for, in words (for the generated field reference). A hint is
 * known once its schema is built (the schemas below are built on first use): generating the JSON Schema builds all.
 */
export const patternHint = (source: string): string | undefined => PATTERN_HINTS.get(source);
const wholeMinutes = (min: number, max: number, what: string) =>
  z
    .number()
    .int({ error: `expected a whole number of minutes` })
    .min(min, { error: `expected at least ${min} minute${min === 1 ? '' : 's'}` })
    .max(max, { error: `expected at most ${max} minutes (${what})` });

const MskClusterArn = lazySchema(() =>
  pattern(MSK_CLUSTER_ARN, 'an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>-<n>)'),
);
const SecretArn = lazySchema(() =>
  pattern(SECRET_ARN, 'a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)'),
);

/**
 * A regex over whole topic or group names (Java `matches()` semantics, as MSK Replicator and MirrorMaker 2 apply
 * them). Compiled here, so a typo fails the validation rather than the replicator 30 minutes later.
 */
const NamePattern = lazySchema(() =>
  z
    .string()
    .min(1, { error: 'expected a non-empty regular expression' })
    .superRefine((source, ctx) => {
      try {
        new RegExp(source);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `"${source}" is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
        });
      }
    }),
);

/** Never replicated unless listed on purpose: Kafka's internal topics (`__consumer_offsets`, …) and replicators' own. */
export const DEFAULT_TOPIC_EXCLUDE = ['__.*', 'mm2-.*', 'heartbeats', '.*\\.checkpoints\\.internal'];
/** Kafka's and MSK's own groups and the throw-away groups of kafka-console-consumer. */
export const DEFAULT_GROUP_EXCLUDE = ['__.*', 'amazon\\.msk\\..*', 'console-consumer-.*'];

const nameFilter = (what: 'topic' | 'consumer group', exclude: string[]) =>
  strict({
    include: z
      .array(NamePattern)
      .min(1, { error: `expected at least one pattern (".*" selects every ${what})` })
      .default(['.*'])
      .describe(`Regexes over whole ${what} names; a name is selected when one matches.`),
    exclude: z
      .array(NamePattern)
      .default(exclude)
      .describe(`Regexes over whole ${what} names removed from the selection. Listing any replaces the default.`),
  }).prefault({});

const Vpc = (minSubnets: number) =>
  strict({
    subnetIds: z
      .array(pattern(SUBNET_ID, 'a subnet ID (subnet-0123456789abcdef0)'))
      .min(minSubnets, {
        error: `expected at least ${minSubnets} subnet${minSubnets === 1 ? '' : 's'}${minSubnets > 1 ? ', in different Availability Zones' : ''}`,
      })
      .max(16)
      .describe("Subnets (in the source cluster's VPC or one routed to it)."),
    securityGroupIds: z
      .array(pattern(SECURITY_GROUP_ID, 'a security group ID (sg-0123456789abcdef0)'))
      .min(1, { error: 'expected at least one security group' })
      .max(5)
      .describe('Security groups that allow the Kafka ports to the clusters.'),
  });

/**
 * A private CA: the PEM bundle that signed the brokers' certificates, for clusters whose certificates no public CA
 * signed (an AutoMQ BYOC or self-managed cluster behind a private PKI). Read from Secrets Manager, not ACM Private CA:
 * MSK Connect's config provider resolves Secrets Manager references only, so one place serves both the tasks and
 * MirrorMaker 2 (docs/identities.md).
 */
const CaSecretArn = lazySchema(() =>
  SecretArn.describe(
    "Secrets Manager secret whose JSON key `caCertificates` holds the PEM bundle of the CA(s) that signed the brokers' certificates (private PKI). It replaces the public CAs for this cluster. Absent: the public CAs.",
  ),
);

/**
 * How the orchestrator's tasks (and MirrorMaker 2) authenticate to a cluster's data plane. Secrets are never in the
 * input: SCRAM and PLAIN credentials are read from a Secrets Manager secret with `username` and `password`, a client
 * certificate (mTLS) from one with `certificate` and `privateKey`, a private CA from one with `caCertificates`.
 */
const ClusterAuth = lazySchema(() =>
  z
    .discriminatedUnion('mechanism', [
      strict({ mechanism: z.literal('IAM').describe('SASL/IAM over TLS (MSK IAM access control).') }),
      strict({
        mechanism: z.enum(['SCRAM-SHA-512', 'SCRAM-SHA-256']).describe('SASL/SCRAM.'),
        secretArn: SecretArn.describe('Secrets Manager secret holding `username` and `password`.'),
        tls: z.boolean().default(true).describe('SASL_SSL (true) or SASL_PLAINTEXT (false).'),
        caSecretArn: CaSecretArn.optional(),
      }),
      strict({
        mechanism: z
          .literal('PLAIN')
          .describe('SASL/PLAIN (self-managed and Kafka-compatible clusters; MSK has none).'),
        secretArn: SecretArn.describe('Secrets Manager secret holding `username` and `password`.'),
        tls: z.boolean().default(true).describe('SASL_SSL (true) or SASL_PLAINTEXT (false).'),
        caSecretArn: CaSecretArn.optional(),
      }),
      strict({
        mechanism: z.literal('TLS').describe('TLS; with a client certificate, mutual TLS (mTLS).'),
        clientCertificateSecretArn: SecretArn.optional().describe(
          "Secrets Manager secret whose JSON keys `certificate` (PEM chain, the client certificate first) and `privateKey` (unencrypted PKCS#8 PEM, `BEGIN PRIVATE KEY`) are presented to the brokers (mTLS; MSK: a certificate issued by the cluster's ACM Private CA). Absent: TLS without a client certificate.",
        ),
        caSecretArn: CaSecretArn.optional(),
      }),
      strict({ mechanism: z.literal('PLAINTEXT').describe('No encryption, no authentication (test clusters only).') }),
    ])
    .superRefine((auth, ctx) => {
      if ((auth.mechanism === 'PLAIN' || auth.mechanism.startsWith('SCRAM')) && 'tls' in auth && !auth.tls) {
        if ('caSecretArn' in auth && auth.caSecretArn !== undefined)
          issue(ctx, ['caSecretArn'], 'a CA bundle needs TLS: set tls to true, or remove caSecretArn');
      }
    }),
);
export type ClusterAuth = z.output<typeof ClusterAuth>;

const IAM_AUTH = { mechanism: 'IAM' } as const;

const Tags = () =>
  z
    .record(
      pattern(TAG_KEY, 'a tag key (1–128 letters, digits, spaces, _ . : / = + - @)'),
      pattern(TAG_VALUE, 'a tag value (up to 256 letters, digits, spaces, _ . : / = + - @)'),
    )
    .superRefine(checkTags);

// ---- sections ----

const Source = lazySchema(() =>
  strict({
    clusterArn: MskClusterArn.describe('The MSK provisioned cluster to migrate off.'),
    auth: ClusterAuth.default(IAM_AUTH).describe("How the orchestrator's tasks reach the source data plane."),
  }),
);

const TargetType = lazySchema(() => z.enum(['MSK_SERVERLESS', 'MSK_PROVISIONED', 'KAFKA']));
const MSK_TARGET_TYPES: ReadonlySet<string> = new Set(['MSK_SERVERLESS', 'MSK_PROVISIONED']);

const TargetCreate = lazySchema(() =>
  strict({
    vpc: Vpc(2).describe('Where the new cluster goes.'),
    provisioned: strict({
      kafkaVersion: pattern(KAFKA_VERSION, 'an MSK Kafka version (3.9.x, 4.0.x)').describe(
        'Kafka version of the new cluster.',
      ),
      brokerInstanceType: pattern(
        BROKER_INSTANCE_TYPE,
        'an MSK broker instance type (kafka.m7g.large, express.m7g.large)',
      ).describe('Broker instance type.'),
      numberOfBrokerNodes: z
        .number()
        .int()
        .min(2, { error: 'expected at least 2 brokers' })
        .max(450)
        .describe('Brokers: a multiple of the number of subnets.'),
      volumeSizeGiB: z.number().int().min(1).max(16384).describe('EBS storage per broker (GiB).'),
    })
      .optional()
      .describe('Required for MSK_PROVISIONED, absent for MSK_SERVERLESS.'),
    tags: Tags().optional().describe('Tags of the new cluster (the ownership tags are added).'),
  }),
);

const Target = lazySchema(() =>
  strict({
    type: TargetType.describe('MSK_SERVERLESS, MSK_PROVISIONED, or KAFKA (any Kafka-compatible cluster, e.g. AutoMQ).'),
    clusterArn: MskClusterArn.optional().describe(
      'An existing MSK target cluster. One of clusterArn, create, bootstrapServers.',
    ),
    create: TargetCreate.optional().describe(
      'Create the target cluster (MSK types); the rollback deletes it. One of clusterArn, create, bootstrapServers.',
    ),
    bootstrapServers: z
      .array(pattern(BOOTSTRAP_SERVER, 'host:port'))
      .min(1, { error: 'expected at least one host:port' })
      .optional()
      .describe('The target reached by address (required for KAFKA). One of clusterArn, create, bootstrapServers.'),
    auth: ClusterAuth.optional().describe('Required for KAFKA; MSK targets: IAM (the default).'),
  }),
);

const MskConnect = lazySchema(() =>
  strict({
    customPluginArn: pattern(CUSTOM_PLUGIN_ARN, 'an MSK Connect custom plugin ARN').describe(
      'Custom plugin holding the MirrorMaker 2 connectors.',
    ),
    customPluginRevision: z.number().int().min(1).describe('Its revision.'),
    workerConfigurationArn: pattern(WORKER_CONFIGURATION_ARN, 'an MSK Connect worker configuration ARN')
      .optional()
      .describe('Worker configuration.'),
    workerConfigurationRevision: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Its revision (required with workerConfigurationArn).'),
    kafkaConnectVersion: z
      .string()
      .min(1)
      .optional()
      .describe('Kafka Connect version of the connectors (MSK Connect default 3.7.x).'),
    mcuCount: z
      .union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)], { error: 'expected 1, 2, 4 or 8 MCUs' })
      .optional()
      .describe('MCUs per worker (default 1).'),
    workerCount: z.number().int().min(1).max(10).optional().describe('Workers per connector (default 1).'),
    vpc: Vpc(1).describe('Subnets and security groups of the connectors (they reach both clusters).'),
  }),
);

const Replication = lazySchema(() =>
  strict({
    engine: z
      .enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2'])
      .describe('MSK_REPLICATOR (MSK → MSK) or MIRROR_MAKER_2 (any target).'),
    topics: nameFilter('topic', DEFAULT_TOPIC_EXCLUDE).describe('Topics to replicate (identical names on the target).'),
    consumerGroups: nameFilter('consumer group', DEFAULT_GROUP_EXCLUDE).describe(
      'Consumer groups whose offsets are synchronised.',
    ),
    startingPosition: z
      .enum(['EARLIEST', 'LATEST'])
      .default('EARLIEST')
      .describe('Where replication starts in each partition.'),
    offsetSyncMode: z
      .enum(['LEGACY', 'ENHANCED'])
      .default('LEGACY')
      .describe('MSK Replicator consumer-group offset sync; ENHANCED allows a failback.'),
    canary: z
      .boolean()
      .default(true)
      .describe("Write canary records to the execution's own canary topic to prove end-to-end flow."),
    mskConnect: MskConnect.optional().describe('MirrorMaker 2 in AWS: run it as MSK Connect connectors.'),
  }),
);

const Gates = lazySchema(() =>
  strict({
    maxLagRecords: z.number().int().min(0).default(1000).describe('Largest lag (records) counted as caught up.'),
    consecutiveHealthyChecks: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(3)
      .describe('Healthy evaluations in a row that pass the catch-up gate.'),
    pollIntervalSeconds: z
      .number()
      .int({ error: 'expected a whole number of seconds' })
      .min(10, { error: 'expected at least 10 seconds (each poll is a paid state transition)' })
      .max(3600, { error: 'expected at most 3600 seconds (one hour)' })
      .default(60)
      .describe('Wait between two catch-up evaluations (10–3600 s).'),
    catchUpTimeoutMinutes: wholeMinutes(1, ONE_YEAR_MINUTES, "a Standard workflow's 1 year")
      .default(1440)
      .describe('Past this the migration rolls back (Migration.LagTimeout).'),
    maxReplicationLatencyMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('MSK Replicator ReplicationLatency above this is unhealthy.'),
    maxCanaryRoundTripMs: z.number().int().min(1).optional().describe('A canary record slower than this is unhealthy.'),
    canaryTimeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(15)
      .describe('How long an evaluation waits for its canary record.'),
  }),
);

const IAM_ARN_HELP =
  'an IAM user ARN (arn:aws:iam::123456789012:user/alice), an IAM role ARN (any session of it) or a role-session ARN (arn:aws:sts::123456789012:assumed-role/Ops/alice@example.com)';
const Approver = lazySchema(() =>
  z.union(
    [
      z.email(),
      pattern(SLACK_USER_ID, 'a Slack user ID'),
      pattern(IAM_APPROVER_ARN, IAM_ARN_HELP),
      strict({
        email: z.email().optional(),
        slackUserId: pattern(SLACK_USER_ID, 'a Slack user ID (U0123ABCD)').optional(),
        iamArn: pattern(IAM_APPROVER_ARN, IAM_ARN_HELP)
          .optional()
          .describe('Decides with `msk-migrate approve|reject` (SigV4-signed) as this IAM user, role or role session.'),
        name: z.string().min(1).max(200).optional(),
      }),
    ],
    {
      error:
        'expected an e-mail address, a Slack user ID (U0123ABCD), an IAM user/role/role-session ARN, or {email, slackUserId, iamArn, name}',
    },
  ),
);

const Approval = lazySchema(() =>
  strict({
    email: z
      .array(z.email({ error: 'expected an e-mail address' }))
      .default([])
      .describe('Recipients of the approval e-mail.'),
    slack: strict({
      channelId: pattern(SLACK_CHANNEL_ID, 'a Slack channel ID (C0123456789)').describe(
        'Channel of the approval message.',
      ),
    })
      .optional()
      .describe('Post the approval request to Slack.'),
    approvers: z
      .array(Approver)
      .default([])
      .describe(
        'Who may decide: e-mail, Slack user ID, IAM user/role/role-session ARN (the operator CLI) or {email, slackUserId, iamArn, name}; none listed: the e-mail recipients.',
      ),
    timeoutMinutes: wholeMinutes(1, MAX_APPROVAL_TIMEOUT_MINUTES, 'the approval states allow 14 days')
      .default(1440)
      .describe('No decision by then: rejected (the rollback path).'),
  }),
);

const CutoverSwitch = lazySchema(() =>
  z.discriminatedUnion('type', [
    strict({
      type: z.literal('SSM_PARAMETER').describe('An SSM parameter holding the bootstrap servers.'),
      parameterName: pattern(SSM_PARAMETER_NAME, 'an SSM parameter name (/app/kafka/bootstrap-servers)')
        .max(1011)
        .describe('The parameter clients read.'),
    }),
    strict({
      type: z.literal('ROUTE53').describe('A Route 53 record naming the brokers.'),
      hostedZoneId: pattern(HOSTED_ZONE_ID, 'a Route 53 hosted zone ID (Z0123456789ABCDEFGHIJ)').describe(
        'The hosted zone.',
      ),
      recordName: pattern(DNS_NAME, 'a DNS name (kafka.internal.example.com)')
        .max(253)
        .describe('The name clients resolve.'),
      recordType: z
        .literal('CNAME', { error: 'expected CNAME (the only record type the switch writes)' })
        .default('CNAME')
        .describe('Record type.'),
      ttlSeconds: z.number().int().min(0).max(86400).optional().describe('TTL written with the record (default 60).'),
      weighted: strict({ setIdentifier: z.string().min(1).max(128), weight: z.number().int().min(0).max(255) })
        .optional()
        .describe('The record is one weighted record of several.'),
      targetValue: pattern(DNS_NAME, 'a DNS name')
        .optional()
        .describe('Host name the record points to after the switch.'),
    }),
    strict({
      type: z.literal('HOOK').describe('A Lambda function of yours that moves the clients.'),
      functionArn: pattern(LAMBDA_FUNCTION_ARN, 'a Lambda function ARN').describe('The hook function.'),
    }),
    strict({
      type: z.literal('LOCAL_FILE').describe('A file holding the bootstrap servers (local rehearsal only).'),
      path: z.string().min(1).describe('The file.'),
    }),
  ]),
);

/** A Kafka principal as ACLs name it: `User:<name>`, or `User:*` for every principal. */
const FENCE_PRINCIPAL = /^[A-Za-z][A-Za-z0-9]*:(?:\*|[^\s*]+)$/;
/** An IAM role name (not its ARN): up to 64 of letters, digits and + = , . @ _ -. */
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** The most roles an IAM_POLICY fence puts its policy on (cutover.fence.roleNames and the switches' roles together). */
export const MAX_IAM_FENCE_ROLES = 50;
/** An IAM inline policy name. */
const IAM_POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/** AWS: an IAM policy change takes effect in most cases in less than a minute (MSK developer guide, IAM access control). */
export const IAM_POLICY_PROPAGATION_SECONDS = 60;
export const DEFAULT_WRITE_FENCE_POLICY_NAME = 'msk-migration-write-fence';
/**
 * Why no inventory can find the IAM roles that write an IAM-auth source, so that an IAM_POLICY fence denies exactly
 * the roles the plan names (the assessment's cutover.iam-producer-roles-unseen and msk-migrate validate say so).
 */
export const IAM_PRODUCERS_UNSEEN =
  "The source cannot show which IAM roles write its topics: with IAM access control Kafka ACLs do not apply to IAM identities (no ACL names a producer); the Kafka protocol gives producers and group members no principal (DescribeProducers: producer IDs, epochs and timestamps; DescribeGroups: client IDs and hosts); and MSK's CloudTrail events cover only topic and configuration actions (CreateTopic, AlterTopic, DescribeTopicDynamicConfiguration, ...), not Connect or WriteData.";

/** What `msk-migrate validate` tells about a valid plan beyond its checks: limits of what it asks for. */
export function planNotes(plan: Pick<MigrationPlan, 'cutover'>): string[] {
  const { fence } = plan.cutover;
  const notes: string[] = [];
  if (fence.type === 'IAM_POLICY')
    notes.push(
      `cutover.fence IAM_POLICY denies writes to the ${iamFenceRoleNames(plan.cutover).length} role(s) of cutover.fence.roleNames and the producer switches' roles only. ${IAM_PRODUCERS_UNSEEN} Name every producer's role; one left out keeps writing, CheckDrain names its producer IDs and the run rolls back.`,
    );
  const withRoles = plan.cutover.switches.filter((s) => s.role !== 'CONSUMERS' && 'roles' in s && s.roles);
  if (fence.type !== 'IAM_POLICY' && withRoles.length > 0)
    notes.push(
      `cutover.switches roles (${withRoles.map((s) => s.name).join(', ')}) are denied by an IAM_POLICY fence only: the ${fence.type} fence does not use them.`,
    );
  return notes;
}
/** cutover.clientPollIntervalSeconds when the plan does not say: clients that read the pointer every second. */
export const DEFAULT_CLIENT_POLL_INTERVAL_SECONDS = 1;

/**
 * How long the drain requires the source's end offsets to hold still after the fence (s): the plan's
 * cutover.fenceSettleSeconds when given; else none where the broker refuses the writes (KAFKA_ACL: the producers'
 * next request is refused, no client needs to notice anything), IAM's propagation with IAM_POLICY, and two of the
 * clients' declared poll intervals with a POINTER fence (a client's read may itself take up to one more interval).
 */
export function settleSecondsOf(plan: { readonly cutover: MigrationPlan['cutover'] }): number {
  const { cutover } = plan;
  if (cutover.fenceSettleSeconds !== undefined) return cutover.fenceSettleSeconds;
  switch (cutover.fence.type) {
    case 'KAFKA_ACL':
      return 0;
    case 'IAM_POLICY':
      return IAM_POLICY_PROPAGATION_SECONDS;
    case 'POINTER':
      return 2 * cutover.clientPollIntervalSeconds;
  }
}

/**
 * A client that reads the pointer holds once it has read the fence: within its declared poll interval, and a send it
 * had in flight then lands a moment later. This share of the interval past it is that moment's allowance (and a poll
 * that runs a little late): 0.5 s with the default 1 s interval.
 */
export const FENCE_NOTICE_MARGIN_SHARE = 0.5;

/**
 * The least allowance for that moment, whatever the interval (s): a send in flight lands after the request's own
 * latency, which does not shrink with the poll interval. With the rehearsal's 100 ms interval, half an interval
 * (50 ms) was less than a loaded machine's late send (one landed 158 ms after the fence, 8 ms past a 150 ms notice).
 */
export const FENCE_NOTICE_MIN_MARGIN_SECONDS = 0.25;

/**
 * By when every client that honours the fence must have held (s after the fence), where the settle waits for clients
 * to notice the pointer: the declared poll interval and half of it again (FENCE_NOTICE_MARGIN_SHARE, at least
 * FENCE_NOTICE_MIN_MARGIN_SECONDS), never past the settle. The drain counts the settle from the fence, not from the last write: a write the source shows after a look
 * taken this long after the fence comes from a writer no fence covers, and is refused (core/cutover/check-drain.ts).
 * None where the source itself holds the writers (KAFKA_ACL without a settle: nothing to notice) or where the fence's
 * delay is IAM's propagation, which no client declares (IAM_POLICY: the settle restarts from the last write).
 */
export function fenceNoticeSecondsOf(plan: { readonly cutover: MigrationPlan['cutover'] }): number | undefined {
  const settle = settleSecondsOf(plan);
  if (plan.cutover.fence.type === 'IAM_POLICY' || settle === 0) return undefined;
  // To the millisecond: 0.1 × 1.5 is 0.15000000000000002 in floating point, and the drain's message prints it.
  const poll = plan.cutover.clientPollIntervalSeconds;
  const margin = Math.max(poll * FENCE_NOTICE_MARGIN_SHARE, FENCE_NOTICE_MIN_MARGIN_SECONDS);
  const notice = Math.round((poll + margin) * 1000) / 1000;
  return Math.min(settle, notice);
}

/**
 * Whom a KAFKA_ACL fence denies: the plan's `cutover.fence.principals`, and — unless that is already `User:*` — the
 * principals the producer switches declare (`cutover.switches[].principals` of role PRODUCERS or BOTH), so that an
 * application moved by a switch is held by the broker too. Empty for the other fences.
 */
export function aclFencePrincipals(cutover: Pick<MigrationPlan['cutover'], 'fence' | 'switches'>): string[] {
  const { fence } = cutover;
  if (fence.type !== 'KAFKA_ACL') return [];
  if (fence.principals.includes('User:*')) return [...fence.principals];
  const declared = cutover.switches.flatMap((s) =>
    s.role !== 'CONSUMERS' && 'principals' in s ? (s.principals ?? []) : [],
  );
  return [...new Set([...fence.principals, ...declared])];
}

/**
 * Whose IAM roles an IAM_POLICY fence denies: the plan's `cutover.fence.roleNames` and the roles the producer switches
 * declare (`cutover.switches[].roles` of role PRODUCERS or BOTH), so that an application moved by a switch is held by
 * IAM too. Empty for the other fences.
 */
export function iamFenceRoleNames(cutover: Pick<MigrationPlan['cutover'], 'fence' | 'switches'>): string[] {
  const { fence } = cutover;
  if (fence.type !== 'IAM_POLICY') return [];
  const declared = cutover.switches.flatMap((s) => (s.role !== 'CONSUMERS' && 'roles' in s ? (s.roles ?? []) : []));
  return [...new Set([...fence.roleNames, ...declared])];
}

/**
 * The write fence the cluster enforces, whatever the clients do (docs/cutover.md#write-fences). The pointer is set to
 * the fence value in every case; KAFKA_ACL and IAM_POLICY also make the source refuse writes to the migrated topics.
 */
const CutoverFence = lazySchema(() =>
  z.discriminatedUnion('type', [
    strict({
      type: z.literal('POINTER').describe('Only the pointer: clients that read it hold (the default).'),
    }),
    strict({
      type: z
        .literal('KAFKA_ACL')
        .describe(
          'A DENY WRITE ACL binding on each migrated topic of the source (SCRAM / mTLS / self-managed Kafka with an authorizer).',
        ),
      principals: z
        .array(pattern(FENCE_PRINCIPAL, 'a Kafka principal (User:orders-app, or User:* for every principal)'))
        .min(1)
        .max(100)
        .default(['User:*'])
        .describe(
          "Whose writes are refused; default User:* (everyone but the broker's super users, which ACLs never bind — the replicator's and the orchestrator's principals should be super users or have no write to the migrated topics).",
        ),
      host: z.string().min(1).max(255).default('*').describe('Host the binding applies to; default every host.'),
    }),
    strict({
      type: z
        .literal('IAM_POLICY')
        .describe(
          "An explicit IAM deny of kafka-cluster:WriteData on the migrated topics, attached as an inline policy to the producers' roles (IAM-auth MSK).",
        ),
      roleNames: z
        .array(pattern(IAM_ROLE_NAME, 'an IAM role name (orders-producer-role), not its ARN'))
        .max(MAX_IAM_FENCE_ROLES)
        .default([])
        .describe(
          "The producers' IAM roles (names). The fence also denies the roles the producer switches declare (cutover.switches[].roles); together at least one.",
        ),
      policyName: pattern(IAM_POLICY_NAME, 'an IAM policy name')
        .default(DEFAULT_WRITE_FENCE_POLICY_NAME)
        .describe('Name of the inline policy put on each role and deleted on rollback.'),
    }),
  ]),
);
export type CutoverFence = z.output<typeof CutoverFence>;

/** A name for one switch (one application): journal keys and messages use it. */
const SWITCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EVENT_SOURCE_MAPPING_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ECS_NAME =
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$|^arn:aws(?:-[a-z]+)*:ecs:[a-z0-9-]+:\d{12}:(?:cluster|service)\/[A-Za-z0-9/_-]+$/;
const MSK_CONNECTOR_ARN = new RegExp(
  `^${ARN_PARTITION}:kafkaconnect:${REGION}:${ACCOUNT}:connector/[A-Za-z0-9][A-Za-z0-9-]{0,127}/[0-9a-f-]+(?:-\\d+)?$`,
);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
export const MAX_CLIENT_SWITCHES = 20;
/** The switches are stepped within one invocation of SwitchToTarget / RollbackCutover (14-minute timeout). */
export const MAX_CLIENT_SWITCH_MINUTES = 12;
/**
 * cutover.consumerCatchUpSeconds at most: CommitConsumerOffsets gives the source's groups 300 s in all
 * (CONSUMER_GROUPS_TIMEOUT_SECONDS of core/plan/history-budget.ts); the held consumers need the rest to stop.
 */
export const MAX_CONSUMER_CATCH_UP_SECONDS = 180;

const switchName = lazySchema(() =>
  pattern(SWITCH_NAME, 'a switch name (letters, digits, . _ -; up to 64)').describe(
    'The application this switch moves (unique in the plan; journal keys and messages use it).',
  ),
);
/** A Kafka principal an application authenticates as: no wildcard (that is the fence's User:*, not an application). */
const APPLICATION_PRINCIPAL = /^[A-Za-z][A-Za-z0-9]*:[^\s*]+$/;
const switchPrincipals = lazySchema(() =>
  z
    .array(pattern(APPLICATION_PRINCIPAL, 'a Kafka principal without wildcard (User:orders-writer)'))
    .min(1)
    .max(20)
    .optional()
    .describe(
      "The Kafka principals this application's clients authenticate as on the source (SCRAM user, mTLS subject): a KAFKA_ACL fence also denies its producers' principals, and the assessment counts a producer principal of the source's ACLs as covered by this switch.",
    ),
);
const switchRoles = lazySchema(() =>
  z
    .array(pattern(IAM_ROLE_NAME, 'an IAM role name (orders-writer-task), not its ARN'))
    .min(1)
    .max(20)
    .optional()
    .describe(
      "The IAM roles this application's clients authenticate as to an IAM-auth source (names: the ECS task role, the connector's service execution role): an IAM_POLICY fence also denies its producers' roles, and the assessment counts a producer role the inventory knows as covered by this switch.",
    ),
);
const ClientRole = lazySchema(() =>
  z
    .enum(['PRODUCERS', 'CONSUMERS', 'BOTH'])
    .describe('Which clients of the application the switch moves: its producers, its consumers or both.'),
);

/**
 * Switches for clients that read no pointer (docs/client-switches.md): each moves one application to the target at
 * SwitchToTarget (after CommitConsumerOffsets) and back at RollbackCutover, from what it journaled before changing it.
 */
const ClientSwitchSpec = lazySchema(() =>
  z.discriminatedUnion('type', [
    strict({
      type: z
        .literal('LAMBDA_EVENT_SOURCE_MAPPING')
        .describe(
          "A Lambda function's MSK event source mapping: deleted on the source, recreated on the target with the same consumer group ID.",
        ),
      name: switchName,
      role: z
        .literal('CONSUMERS', { error: 'expected CONSUMERS (an event source mapping only consumes)' })
        .default('CONSUMERS')
        .describe('An event source mapping consumes: CONSUMERS.'),
      uuid: pattern(EVENT_SOURCE_MAPPING_UUID, 'an event source mapping UUID').describe(
        'The UUID of the mapping on the source cluster.',
      ),
      targetAuth: strict({
        type: z
          .enum(['SASL_SCRAM_512_AUTH', 'CLIENT_CERTIFICATE_TLS_AUTH'])
          .describe("Lambda's SourceAccessConfiguration type on the target."),
        secretArn: SecretArn.describe('The secret Lambda authenticates to the target with.'),
      })
        .optional()
        .describe("How Lambda authenticates to the target; default IAM (the execution role's kafka-cluster:* grants)."),
    }),
    strict({
      type: z
        .literal('ECS_SERVICE')
        .describe("An ECS service redeployed with the target's settings (a new task-definition revision)."),
      name: switchName,
      role: ClientRole,
      cluster: pattern(ECS_NAME, 'an ECS cluster name or ARN').describe('The ECS cluster of the service.'),
      service: pattern(ECS_NAME, 'an ECS service name or ARN').describe('The service.'),
      environment: z
        .record(pattern(ENV_NAME, 'an environment variable name'), z.string().max(4096))
        .refine((env) => Object.keys(env).length > 0, { error: 'expected at least one variable to change' })
        .describe(
          "Environment variables set in the new revision; {bootstrapServers} in a value becomes the target's bootstrap servers.",
        ),
      containerName: z.string().min(1).max(255).optional().describe('Only this container; default every container.'),
      principals: switchPrincipals,
      roles: switchRoles,
      stopAtFence: z
        .boolean()
        .default(false)
        .describe(
          'Scale the service to 0 at FenceProducers, back to its count on the target at SwitchToTarget: producers write nowhere during the drain, and consumers leave their group so that CommitConsumerOffsets can translate its offsets.',
        ),
    }),
    strict({
      type: z
        .literal('MSK_CONNECT_CONNECTOR')
        .describe(
          'An MSK Connect connector: deleted and created again under its name with its configuration, on the target.',
        ),
      name: switchName,
      role: z
        .enum(['CONSUMERS', 'PRODUCERS'])
        .describe(
          'CONSUMERS: a sink connector (its group resumes at the translated offsets); PRODUCERS: a source connector (its offsets are not carried, docs/client-switches.md).',
        ),
      connectorArn: pattern(MSK_CONNECTOR_ARN, 'an MSK Connect connector ARN').describe('The connector on the source.'),
      targetVpc: strict({
        subnets: z.array(pattern(SUBNET_ID, 'a subnet ID (subnet-0123456789abcdef0)')).min(1).max(16),
        securityGroups: z
          .array(pattern(SECURITY_GROUP_ID, 'a security group ID (sg-0123456789abcdef0)'))
          .min(1)
          .max(16),
      })
        .optional()
        .describe("The workers' subnets and security groups towards the target; default the connector's own."),
      targetAuthentication: z
        .enum(['IAM', 'NONE'])
        .default('IAM')
        .describe('How the workers authenticate to the target (MSK Connect: IAM or none).'),
      principals: switchPrincipals,
      roles: switchRoles,
    }),
    strict({
      type: z
        .literal('LOCAL_PROCESS')
        .describe(
          "A client process of the local rehearsal, restarted with the target's settings (local rehearsal only: the stand-in for ECS_SERVICE).",
        ),
      name: switchName,
      role: ClientRole,
      application: z.string().min(1).max(255).describe('The application as the rehearsal runs it.'),
      environment: z
        .record(pattern(ENV_NAME, 'an environment variable name'), z.string().max(4096))
        .refine((env) => Object.keys(env).length > 0, { error: 'expected at least one variable to change' })
        .describe(
          "Settings of the restarted process; {bootstrapServers} in a value becomes the target's bootstrap servers.",
        ),
      principals: switchPrincipals,
      stopAtFence: z
        .boolean()
        .default(false)
        .describe('Stop the process at FenceProducers, start it again on the target at SwitchToTarget.'),
    }),
  ]),
);
export type ClientSwitchSpec = z.output<typeof ClientSwitchSpec>;

const Cutover = lazySchema(() =>
  strict({
    switch: CutoverSwitch.describe('The single pointer clients read to find their cluster.'),
    fence: CutoverFence.default({ type: 'POINTER' }).describe(
      'How producers are held during the drain: the pointer only, or also a fence the source cluster enforces.',
    ),
    switches: z
      .array(ClientSwitchSpec)
      .max(MAX_CLIENT_SWITCHES)
      .default([])
      .describe(
        'Applications that read no pointer, moved by the orchestrator itself at the switch (one entry per application).',
      ),
    clientSwitchTimeoutMinutes: wholeMinutes(
      1,
      MAX_CLIENT_SWITCH_MINUTES,
      'SwitchToTarget and RollbackCutover move the switches within one 14-minute task',
    )
      .default(10)
      .describe('Longest wait for the switches to reach the target (or, on rollback, the source) before failing.'),
    consumerCatchUpSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_CONSUMER_CATCH_UP_SECONDS, {
        error: `at most ${MAX_CONSUMER_CATCH_UP_SECONDS}: CommitConsumerOffsets waits 300 s in all for the source's groups, and the held consumers need the rest to stop`,
      })
      .default(60)
      .describe(
        "CommitConsumerOffsets: how long the consumers no fence stops (LAMBDA_EVENT_SOURCE_MAPPING, MSK_CONNECT_CONNECTOR with role CONSUMERS) may take to commit the source's last records before they are held anyway (the mapping disabled, the connector deleted); what they had not committed is read on the target.",
      ),
    targetValue: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('What the pointer is set to; default: the target bootstrap servers.'),
    rollbackWindowMinutes: wholeMinutes(0, ONE_YEAR_MINUTES, "a Standard workflow's 1 year")
      .default(60)
      .describe('Target health watched this long after the switch.'),
    drainTimeoutMinutes: wholeMinutes(1, 24 * 60, 'one day')
      .default(15)
      .describe(
        'Longest wait for lag zero after producers are fenced. ValidateInput refuses more than 45 (the history budget: 90 drain polls, at most 30 s apart while producers are fenced).',
      ),
    producerDeliveryTimeoutMs: z
      .number()
      .int()
      .min(1)
      .max(24 * 3600 * 1000)
      .default(120_000)
      .describe(
        "The producers' delivery.timeout.ms (Kafka's default 120000): the assessment warns when the fence can hold them longer (a producer drops what it buffered after it).",
      ),
    clientPollIntervalSeconds: z
      .number()
      .min(0.05)
      .max(3600)
      .default(DEFAULT_CLIENT_POLL_INTERVAL_SECONDS)
      .describe(
        "How often the clients read the pointer (their refresh interval; with a ROUTE53 switch include the record's TTL), fractions allowed: the longest a client takes to notice a change. The drain's settle with a POINTER fence and the pause's last step follow it.",
      ),
    // Fractions allowed: the settle must exceed the clients' pointer notice, which is well under a second for clients
    // polling a local file or a parameter every 100 ms; whole seconds would make the pause a second longer than needed.
    fenceSettleSeconds: z
      .number()
      .min(0)
      .max(3600)
      .optional()
      .describe(
        'How long the source must stay still after the fence before it counts as drained (fractions allowed). Default: none with a KAFKA_ACL fence (the broker refuses the writes), 60 with IAM_POLICY (IAM propagation), twice clientPollIntervalSeconds with POINTER.',
      ),
    singleInvocation: z
      .boolean()
      .default(true)
      .describe(
        'Fence, drain, consumer offsets and switch in one invocation of the Cutover function (no state transition between them; the step-by-step states take over where its deadline passes). false: each step runs as its own state. Plans with cutover.switches always take the step-by-step states.',
      ),
  }),
);

// ---- cross-field rules ----

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: (string | number)[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });

/** `arn:partition:service:region:account:...` → region and account. */
function arnScope(arn: string): { region: string; account: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', account: parts[4] ?? '' };
}

const MSK_HAS_NO_PLAIN =
  'MSK has no SASL/PLAIN listener (it offers IAM, SCRAM-SHA-512, TLS and PLAINTEXT): name the mechanism the cluster has';

function checkSource(source: z.output<typeof Source>, ctx: Ctx): void {
  if (source.auth.mechanism === 'PLAIN') issue(ctx, ['auth', 'mechanism'], MSK_HAS_NO_PLAIN);
}

function checkTarget(target: z.output<typeof Target>, ctx: Ctx): void {
  const given = (['clusterArn', 'create', 'bootstrapServers'] as const).filter((k) => target[k] !== undefined);
  if (given.length !== 1) {
    issue(
      ctx,
      given.length === 0 ? [] : [given[1] as string],
      given.length === 0
        ? 'expected exactly one of target.clusterArn (an existing MSK cluster), target.create (create one) or target.bootstrapServers (reach it by address)'
        : `expected exactly one of target.clusterArn, target.create, target.bootstrapServers; got ${given.map((k) => `target.${k}`).join(' and ')}`,
    );
  }
  const msk = MSK_TARGET_TYPES.has(target.type);
  if (target.create && !msk)
    issue(
      ctx,
      ['create'],
      `the workflow creates MSK clusters only (target.type MSK_SERVERLESS or MSK_PROVISIONED), not ${target.type}`,
    );
  if (target.clusterArn && !msk)
    issue(
      ctx,
      ['clusterArn'],
      'a KAFKA target is reached by target.bootstrapServers; an MSK ARN means target.type MSK_SERVERLESS or MSK_PROVISIONED',
    );
  if (target.type === 'KAFKA' && !target.auth) {
    issue(
      ctx,
      ['auth'],
      'required for a KAFKA target: {mechanism: SCRAM-SHA-512 | SCRAM-SHA-256 | PLAIN | IAM | TLS | PLAINTEXT, secretArn, tls, caSecretArn, clientCertificateSecretArn}',
    );
  }
  if (target.type === 'MSK_SERVERLESS' && target.auth && target.auth.mechanism !== 'IAM') {
    issue(ctx, ['auth', 'mechanism'], `MSK Serverless accepts IAM access control only, not ${target.auth.mechanism}`);
  } else if (msk && target.auth?.mechanism === 'PLAIN') {
    issue(ctx, ['auth', 'mechanism'], MSK_HAS_NO_PLAIN);
  }
  if (target.create && msk) {
    if (target.type === 'MSK_PROVISIONED' && !target.create.provisioned) {
      issue(
        ctx,
        ['create', 'provisioned'],
        'required to create an MSK provisioned cluster: {kafkaVersion, brokerInstanceType, numberOfBrokerNodes, volumeSizeGiB}',
      );
    }
    if (target.type === 'MSK_SERVERLESS' && target.create.provisioned) {
      issue(
        ctx,
        ['create', 'provisioned'],
        'an MSK Serverless cluster has no brokers to size: remove target.create.provisioned',
      );
    }
    const brokers = target.create.provisioned?.numberOfBrokerNodes;
    const subnets = target.create.vpc.subnetIds.length;
    if (target.type === 'MSK_PROVISIONED' && brokers !== undefined && brokers % subnets !== 0) {
      issue(
        ctx,
        ['create', 'provisioned', 'numberOfBrokerNodes'],
        `expected a multiple of the ${subnets} subnets (MSK spreads brokers evenly across them), got ${brokers}`,
      );
    }
  }
}

function checkGates(gates: z.output<typeof Gates>, ctx: Ctx): void {
  const healthySeconds = gates.consecutiveHealthyChecks * gates.pollIntervalSeconds;
  if (gates.catchUpTimeoutMinutes * 60 <= healthySeconds) {
    issue(
      ctx,
      ['catchUpTimeoutMinutes'],
      `expected more than gates.consecutiveHealthyChecks × gates.pollIntervalSeconds (${gates.consecutiveHealthyChecks} × ${gates.pollIntervalSeconds} s = ${Math.ceil(healthySeconds / 60)} min): the gate could never pass in time`,
    );
  }
}

function checkApproval(approval: z.output<typeof Approval>, ctx: Ctx): void {
  if (approval.email.length === 0 && !approval.slack) {
    issue(
      ctx,
      [],
      'expected at least one approval channel: approval.email (a list of addresses) or approval.slack ({channelId})',
    );
  }
  approval.approvers.forEach((entry, i) => {
    if (
      typeof entry !== 'string' &&
      entry.email === undefined &&
      entry.slackUserId === undefined &&
      entry.iamArn === undefined
    ) {
      issue(ctx, ['approvers', i], 'expected an email, a slackUserId or an iamArn for this approver');
      return;
    }
    const slackOnly =
      typeof entry === 'string' ? SLACK_USER_ID.test(entry) : entry.email === undefined && entry.iamArn === undefined;
    if (slackOnly && !approval.slack) {
      issue(
        ctx,
        ['approvers', i],
        'a Slack user can only decide in Slack: configure approval.slack.channelId, or list the approver by e-mail',
      );
    }
  });
}

function checkCutover(cutover: z.output<typeof Cutover>, ctx: Ctx): void {
  if (
    cutover.fence.type === 'IAM_POLICY' &&
    cutover.fenceSettleSeconds !== undefined &&
    cutover.fenceSettleSeconds < IAM_POLICY_PROPAGATION_SECONDS
  ) {
    issue(
      ctx,
      ['fenceSettleSeconds'],
      `expected at least ${IAM_POLICY_PROPAGATION_SECONDS} s with an IAM_POLICY fence: AWS documents that an IAM policy change takes effect "in most cases in less than a minute", and the source must stay still longer than that before it counts as drained`,
    );
  }
  if (cutover.fence.type === 'IAM_POLICY') {
    const roles = iamFenceRoleNames(cutover);
    if (roles.length === 0)
      issue(
        ctx,
        ['fence', 'roleNames'],
        "expected at least one role: the producers' IAM roles, in cutover.fence.roleNames or a producer switch's roles",
      );
    else if (roles.length > MAX_IAM_FENCE_ROLES)
      issue(
        ctx,
        ['fence', 'roleNames'],
        `expected at most ${MAX_IAM_FENCE_ROLES} roles in cutover.fence.roleNames and the producer switches' roles together, got ${roles.length}`,
      );
  }
  const names = new Set<string>();
  cutover.switches.forEach((sw, i) => {
    if (names.has(sw.name)) issue(ctx, ['switches', i, 'name'], `"${sw.name}" names two switches: give each its own`);
    names.add(sw.name);
  });
  if (
    cutover.switch.type === 'ROUTE53' &&
    cutover.switch.targetValue !== undefined &&
    cutover.targetValue !== undefined &&
    cutover.switch.targetValue !== cutover.targetValue
  ) {
    issue(ctx, ['targetValue'], 'cutover.switch.targetValue and cutover.targetValue differ: give the value once');
  }
}

function checkTags(tags: Record<string, string>, ctx: Ctx): void {
  const path: string[] = [];
  const keys = Object.keys(tags);
  if (keys.length > 40)
    issue(ctx, path, `expected at most 40 tags (AWS allows 50, the orchestrator adds its own), got ${keys.length}`);
  for (const key of keys) {
    const reserved = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
    if (reserved)
      issue(
        ctx,
        [...path, key],
        `tag keys starting with "${reserved}" are reserved${reserved === 'msk-migration:' ? ' (the ownership tags that decide what a rollback deletes)' : ' by AWS'}`,
      );
  }
}

/**
 * Whether a rule that reads some fields may run: none of them, nor a field above or below them, has an issue already
 * (an unknown key counts as its own field). Such a rule reads only values that passed their own checks, so a plan's
 * problems across fields are reported with its problems in fields, in one run.
 */
function readableFields(
  issues: ReadonlyArray<{ readonly code?: string; readonly path?: readonly PropertyKey[]; readonly keys?: string[] }>,
): (...fields: string[]) => boolean {
  const broken = issues.flatMap((i) => {
    const at = (i.path ?? []).map(String);
    return i.code === 'unrecognized_keys' && i.keys ? i.keys.map((k) => [...at, k].join('.')) : [at.join('.')];
  });
  return (...fields) =>
    !broken.some((b) => fields.some((f) => b === '' || b === f || b.startsWith(`${f}.`) || f.startsWith(`${b}.`)));
}

/** Whole-name regex semantics (Java `matches()`), as the replication's include / exclude lists apply them. */
const matchesWhole = (patterns: readonly string[], name: string): boolean =>
  patterns.some((p) => new RegExp(`^(?:${p})$`).test(name));

/** The same pointer, as the lock and a person would tell two pointers apart. */
function pointerIdentity(sw: z.output<typeof CutoverSwitch>): string {
  switch (sw.type) {
    case 'SSM_PARAMETER':
      return `SSM parameter ${sw.parameterName}`;
    case 'ROUTE53':
      return `Route 53 record ${sw.recordName.toLowerCase().replace(/\.$/, '')}${sw.weighted ? ` (${sw.weighted.setIdentifier})` : ''} in ${sw.hostedZoneId}`;
    case 'HOOK':
      return `hook ${sw.functionArn}`;
    case 'LOCAL_FILE':
      return `file ${sw.path}`;
  }
}

/**
 * Waves: names unique; each topic, group and client switch in one wave; every topic and group one the replication
 * selects; every client switch of cutover.switches moved by a wave; one pointer per wave (a pointer moves every client
 * that reads it, so two waves on one pointer would move each other's clients); Slack-only approvers need Slack.
 */
function checkWaves(
  plan: z.output<typeof PlanShape>,
  waves: readonly Wave[],
  readable: (...fields: string[]) => boolean,
  ctx: Ctx,
): void {
  const first = new Map<string, Map<string, number>>([
    ['name', new Map()],
    ['topic', new Map()],
    ['group', new Map()],
    ['switch', new Map()],
    ['pointer', new Map()],
  ]);
  const once = (kind: string, key: string, i: number, path: (string | number)[], what: string): void => {
    const seen = first.get(kind)!;
    const at = seen.get(key);
    if (at === undefined) seen.set(key, i);
    else if (at !== i)
      issue(
        ctx,
        ['waves', i, ...path],
        `${what} is already in wave ${waves[at]!.name} (waves.${at}): each ${kind} belongs to one wave`,
      );
    else issue(ctx, ['waves', i, ...path], `${what} is listed twice in this wave`);
  };
  const switchNames = readable('cutover.switches') ? new Set(plan.cutover.switches.map((s) => s.name)) : undefined;
  const replication = readable('replication.topics', 'replication.consumerGroups') ? plan.replication : undefined;
  waves.forEach((wave, i) => {
    once('name', wave.name, i, ['name'], `the name "${wave.name}"`);
    wave.topics.forEach((topic, j) => {
      // A consumers-first wave reads topics whose producers a later wave moves: that wave holds the topic.
      if (!wave.consumersFirst) once('topic', topic, i, ['topics', j], `topic ${topic}`);
      else if (wave.topics.indexOf(topic) !== j)
        issue(ctx, ['waves', i, 'topics', j], `topic ${topic} is listed twice in this wave`);
      if (
        replication &&
        (!matchesWhole(replication.topics.include, topic) || matchesWhole(replication.topics.exclude, topic))
      )
        issue(
          ctx,
          ['waves', i, 'topics', j],
          `topic ${topic} is not selected by replication.topics (include / exclude): a wave cuts over replicated topics only`,
        );
    });
    wave.consumerGroups.forEach((group, j) => {
      once('group', group, i, ['consumerGroups', j], `consumer group ${group}`);
      if (
        replication &&
        (!matchesWhole(replication.consumerGroups.include, group) ||
          matchesWhole(replication.consumerGroups.exclude, group))
      )
        issue(
          ctx,
          ['waves', i, 'consumerGroups', j],
          `consumer group ${group} is not selected by replication.consumerGroups (include / exclude): its offsets are not synchronised`,
        );
    });
    wave.switches.forEach((name, j) => {
      once('switch', name, i, ['switches', j], `client switch ${name}`);
      if (switchNames && !switchNames.has(name))
        issue(ctx, ['waves', i, 'switches', j], `no entry of cutover.switches is named "${name}"`);
      const role = switchNames ? plan.cutover.switches.find((s) => s.name === name)?.role : undefined;
      if (wave.consumersFirst && role !== undefined && role !== 'CONSUMERS')
        issue(
          ctx,
          ['waves', i, 'switches', j],
          `client switch ${name} moves ${role === 'BOTH' ? 'producers and consumers' : 'producers'}: a consumers-first wave (consumersFirst) moves CONSUMERS switches only; list it in the wave that moves its producers`,
        );
    });
    if (wave.consumersFirst && !wave.switch)
      issue(
        ctx,
        ['waves', i, 'switch'],
        "a consumers-first wave (consumersFirst) needs a pointer of its own that only its consumers read: cutover.switch is the producers' pointer, and moving it would move them too",
      );
    else if (
      wave.consumersFirst &&
      wave.switch &&
      readable('cutover.switch') &&
      pointerIdentity(wave.switch) === pointerIdentity(plan.cutover.switch)
    )
      issue(
        ctx,
        ['waves', i, 'switch'],
        `the pointer (${pointerIdentity(wave.switch)}) is cutover.switch, which producers read: a consumers-first wave (consumersFirst) needs a pointer only its consumers read`,
      );
    const pointer = wave.switch ?? (readable('cutover.switch') ? plan.cutover.switch : undefined);
    if (pointer)
      once(
        'pointer',
        pointerIdentity(pointer),
        i,
        wave.switch ? ['switch'] : [],
        `the pointer (${pointerIdentity(pointer)}${wave.switch ? '' : ', cutover.switch: the wave names no switch of its own'})`,
      );
    if (readable('approval.slack'))
      (wave.approvers ?? []).forEach((entry, j) => {
        const slackOnly =
          typeof entry === 'string'
            ? SLACK_USER_ID.test(entry)
            : entry.email === undefined && entry.iamArn === undefined;
        if (slackOnly && !plan.approval.slack)
          issue(
            ctx,
            ['waves', i, 'approvers', j],
            'a Slack user can only decide in Slack: configure approval.slack.channelId, or list the approver by e-mail',
          );
      });
  });
  // Each topic a consumers-first wave reads is moved (its producers) by a later wave: until then the replication feeds
  // its consumers on the target, and after the last wave it is stopped. Unless the wave says its producers stay
  // (producersStay): then no wave may move them, and the replication outlives the migration.
  const producedIn = first.get('topic')!;
  waves.forEach((wave, i) => {
    if (wave.producersStay && !wave.consumersFirst) {
      issue(
        ctx,
        ['waves', i, 'producersStay'],
        "producersStay describes a consumers-first wave (consumersFirst: true) whose topics' producers never move: this wave moves its producers itself",
      );
      return;
    }
    if (!wave.consumersFirst) return;
    wave.topics.forEach((topic, j) => {
      const at = producedIn.get(topic);
      if (wave.producersStay) {
        if (at !== undefined)
          issue(
            ctx,
            ['waves', i, 'topics', j],
            `topic ${topic} has its producers moved by wave ${waves[at]!.name} (waves.${at}), but this wave says they stay on the source (producersStay): remove producersStay, or leave ${topic} out of that wave`,
          );
      } else if (at === undefined || at < i)
        issue(
          ctx,
          ['waves', i, 'topics', j],
          `topic ${topic} is in no later wave that moves its producers: a consumers-first wave (consumersFirst) reads topics whose producers a later wave moves (list ${topic} in that wave), since the replication that feeds its consumers on the target stops after the last wave${at === undefined ? '; if they never move, set producersStay: true (the replicator is then kept after the migration)' : ''}`,
        );
    });
  });
  const topicCount = first.get('topic')!.size;
  if (topicCount > MAX_WAVE_TOPICS)
    issue(
      ctx,
      ['waves'],
      `expected at most ${MAX_WAVE_TOPICS} topics across the waves, got ${topicCount}: AcquireLock takes a lock per topic of a plan in waves; split the plan into several migrations`,
    );
  if (switchNames) {
    const moved = first.get('switch')!;
    plan.cutover.switches.forEach((sw, k) => {
      if (!moved.has(sw.name))
        issue(
          ctx,
          ['cutover', 'switches', k, 'name'],
          `no wave moves the client switch "${sw.name}": with waves, list it in the switches of the wave its application belongs to`,
        );
    });
  }
}

/**
 * Rules across sections. Each runs when the fields it reads are well-formed, whatever else is wrong in the plan, so
 * that `msk-migrate validate` and ValidateInput name every problem at once.
 */
function checkAcrossSections(plan: z.output<typeof PlanShape>, ctx: Ctx): void {
  const readable = readableFields(ctx.issues);
  const { source, target, replication, cutover } = plan;
  if (
    readable('target.clusterArn', 'source.clusterArn') &&
    target.clusterArn &&
    target.clusterArn === source.clusterArn
  ) {
    issue(ctx, ['target', 'clusterArn'], 'the target is the source cluster: give a different cluster');
  }
  const mskTarget = readable('target.type') && MSK_TARGET_TYPES.has(target.type);
  if (readable('target.type', 'cutover.switches'))
    cutover.switches.forEach((sw, i) => {
      if (sw.type === 'LAMBDA_EVENT_SOURCE_MAPPING' && !mskTarget)
        issue(
          ctx,
          ['cutover', 'switches', i, 'type'],
          `a Lambda MSK event source mapping needs an MSK target (target.type MSK_SERVERLESS or MSK_PROVISIONED), not ${target.type}`,
        );
    });
  if (readable('replication.engine', 'target.type') && replication.engine === 'MSK_REPLICATOR') {
    if (!mskTarget) {
      issue(
        ctx,
        ['replication', 'engine'],
        `MSK Replicator copies between MSK clusters only; a ${target.type} target needs MIRROR_MAKER_2`,
      );
    } else if (readable('target.bootstrapServers') && target.bootstrapServers) {
      issue(
        ctx,
        ['target', 'bootstrapServers'],
        'MSK Replicator needs the target by ARN: give target.clusterArn or target.create instead',
      );
    } else if (readable('target.bootstrapServers', 'target.clusterArn', 'source.clusterArn') && target.clusterArn) {
      const from = arnScope(source.clusterArn);
      const to = arnScope(target.clusterArn);
      // Across Regions is MSK Replicator's cross-region replication; across accounts it copies between MSK clusters not.
      if (from.account !== to.account) {
        issue(
          ctx,
          ['target', 'clusterArn'],
          `MSK Replicator copies between MSK clusters of one account (in one Region or across Regions): source ${from.account}/${from.region}, target ${to.account}/${to.region}; use MIRROR_MAKER_2 across accounts`,
        );
      }
    }
    if (readable('replication.mskConnect') && replication.mskConnect)
      issue(
        ctx,
        ['replication', 'mskConnect'],
        'MSK Connect settings apply to MIRROR_MAKER_2 only: remove them, or set replication.engine to MIRROR_MAKER_2',
      );
  }
  if (readable('replication.engine') && replication.engine === 'MIRROR_MAKER_2') {
    // Whether MirrorMaker 2 needs replication.mskConnect depends on the runtime: lambdas/core/plan/runtimes.ts.
    const onMskConnect = readable('replication.mskConnect', 'target.auth') && replication.mskConnect !== undefined;
    const targetAuth = target.auth;
    if (
      onMskConnect &&
      (targetAuth?.mechanism === 'SCRAM-SHA-512' ||
        targetAuth?.mechanism === 'SCRAM-SHA-256' ||
        targetAuth?.mechanism === 'PLAIN')
    ) {
      // The MSK Connect adapter refuses it at StartReplication: refuse it here, before anything is created.
      issue(
        ctx,
        ['target', 'auth', 'mechanism'],
        `MirrorMaker 2 on MSK Connect runs its workers on the target, and MSK Connect workers authenticate with IAM or without SASL only: a ${targetAuth.mechanism}-only target cannot host them. Open a TLS (or IAM) listener on the target and name it here, or run MirrorMaker 2 yourself`,
      );
    }
    if (onMskConnect && targetAuth?.mechanism === 'TLS') {
      for (const field of ['clientCertificateSecretArn', 'caSecretArn'] as const) {
        if (targetAuth[field] === undefined) continue;
        issue(
          ctx,
          ['target', 'auth', field],
          `MirrorMaker 2 on MSK Connect runs its workers on the target, and MSK Connect workers connect to it with TLS against the public CAs and without a client certificate: a target that needs ${field === 'caSecretArn' ? 'a private CA' : 'a client certificate'} cannot host them. Open a listener they can use (IAM, or TLS with a publicly trusted certificate), or run MirrorMaker 2 yourself`,
        );
      }
    }
    if (readable('replication.offsetSyncMode') && replication.offsetSyncMode === 'ENHANCED') {
      issue(
        ctx,
        ['replication', 'offsetSyncMode'],
        'ENHANCED is an MSK Replicator mode; MirrorMaker 2 syncs offsets its own way: remove it or use LEGACY',
      );
    }
  }
  if (plan.waves && readable('waves')) checkWaves(plan, plan.waves, readable, ctx);
  const connect = readable('replication.mskConnect') ? replication.mskConnect : undefined;
  if (
    connect &&
    (connect.workerConfigurationArn === undefined) !== (connect.workerConfigurationRevision === undefined)
  ) {
    issue(
      ctx,
      [
        'replication',
        'mskConnect',
        connect.workerConfigurationArn === undefined ? 'workerConfigurationArn' : 'workerConfigurationRevision',
      ],
      'workerConfigurationArn and workerConfigurationRevision go together',
    );
  }
}

// ---- assessment ----

const Assessment = lazySchema(() =>
  strict({
    headroom: z
      .number()
      .min(0, { error: 'expected a fraction from 0 to 0.95' })
      .max(0.95, { error: 'expected a fraction from 0 to 0.95' })
      .default(0.3)
      .describe("Fraction of each target quota kept free at the source's peak (0.3: the peak may use 70%)."),
    acknowledge: z
      .array(z.string().min(1))
      .default([])
      .describe('Finding ids the operator accepts: such a BLOCKER is reported as an acknowledged WARNING.'),
    profileOverrides: strict({
      quotas: QuotaOverridesSchema.optional().describe('Quotas raised (or removed with null) by AWS for this account.'),
      editableTopicConfigs: z
        .array(z.string().min(1))
        .optional()
        .describe("Replaces the target profile's editable topic configs."),
    })
      .optional()
      .describe("Corrections to the target profile's quotas and limits."),
  }),
);

// ---- validation ----

const KAFKA_PRINCIPAL = /^[A-Za-z][A-Za-z0-9]*:.+$/;
const KafkaPrincipal = lazySchema(() =>
  pattern(KAFKA_PRINCIPAL, 'a Kafka principal (User:orders-app, User:CN=orders,OU=apps)'),
);
const KafkaResourceName = lazySchema(() => z.string().min(1).max(249));

const PrincipalAccess = lazySchema(() =>
  strict({
    principal: KafkaPrincipal.describe('The principal as ACLs name it: User:<SCRAM user>, User:<certificate subject>.'),
    topics: z.array(KafkaResourceName).optional().describe('Topics (exact names) it must reach on the target.'),
    groups: z.array(KafkaResourceName).optional().describe('Consumer groups (exact ids) it must use on the target.'),
    operations: z
      .array(z.enum(['READ', 'WRITE', 'DESCRIBE']))
      .min(1, { error: 'expected at least one of READ, WRITE, DESCRIBE' })
      .describe(
        'What it must be allowed: on topics READ, WRITE, DESCRIBE; on groups READ and DESCRIBE (WRITE is ignored there).',
      ),
  }).superRefine((entry, ctx) => {
    if ((entry.topics?.length ?? 0) + (entry.groups?.length ?? 0) === 0)
      issue(ctx, [], 'expected at least one topic or group for this principal');
  }),
);

const Validation = lazySchema(() =>
  strict({
    principals: z
      .array(PrincipalAccess)
      .max(500)
      .optional()
      .describe(
        "Principals whose access ValidateTarget checks on the target. Absent: every principal the source's ACLs name, with what they allow it on the replicated topics and groups. [] skips the check (reported as skipped).",
      ),
    superUsers: z
      .array(KafkaPrincipal)
      .default([])
      .describe(
        "The target brokers' super.users (Kafka does not reveal them): allowed everything on a target with ACLs.",
      ),
  }),
);

// ---- recovery: what a replicator restart may leave, and who accepts a replay ----

const Tolerance = lazySchema(() =>
  z
    .union([
      z.enum(['NONE', 'ANY']),
      strict({
        maxRecords: z
          .number()
          .int({ error: 'expected a whole number of records' })
          .min(1, { error: 'expected at least 1 record (NONE allows none)' })
          .describe('At most this many records, per topic.'),
      }),
    ])
    .describe('NONE, ANY, or { "maxRecords": N } (a bounded count per topic).'),
);

const RecoveryTopics = lazySchema(() =>
  strict({
    include: z
      .array(NamePattern)
      .min(1, { error: 'expected at least one pattern' })
      .describe('Regexes over whole topic names this rule applies to; the first rule that matches a topic wins.'),
    duplicateTolerance: Tolerance.optional().describe('Replaces recovery.duplicateTolerance for these topics.'),
    replayTolerance: Tolerance.optional().describe('Replaces recovery.replayTolerance for these topics.'),
  }),
);

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

const FreshGroup = lazySchema(() =>
  strict({
    groupId: KafkaResourceName.describe('The consumer group (exact id) started fresh on the target.'),
    startAt: pattern(ISO_DATE_TIME, 'an ISO 8601 date-time with a zone (2026-05-01T12:00:00Z)').describe(
      "Where it starts on every partition of the replicated topics: the first record with a timestamp at or after this time (the partition's end when none is).",
    ),
    acceptedBy: z
      .string()
      .min(1)
      .max(200)
      .describe("Who owns the group's consumers and accepts the records they read again (shown in the approval)."),
  }),
);

const Recovery = lazySchema(() =>
  strict({
    duplicateTolerance: Tolerance.default('NONE').describe(
      'Records a restarted replicator may have copied twice onto the target (replayed ranges), per topic, for ValidateTarget to pass. NONE keeps strict continuity; duplicates beyond the tolerance fail validation naming the partitions.',
    ),
    replayTolerance: Tolerance.default('NONE').describe(
      "Records a consumer group may read again after the cutover because its position cannot be translated exactly (CommitConsumerOffsets), per topic. NONE: the translation must point after the group's last record.",
    ),
    topics: z
      .array(RecoveryTopics)
      .max(100)
      .default([])
      .describe('Per topic group: tolerances that replace the defaults above (ordered topics keep NONE).'),
    freshGroups: z
      .array(FreshGroup)
      .max(100)
      .default([])
      .describe(
        'Consumer groups not translated at the cutover: each starts on the target from a timestamp, with the replay accepted by its owner (recorded in the approval).',
      ),
  }),
);

// ---- waves: the migration in batches, each with its topics, groups, switches and owners ----

/** The most waves one execution runs (each is an approval, a fence, a drain, a switch and a rollback window). */
export const MAX_WAVES = 10;
/** The most topics across the waves: AcquireLock takes one lock per topic (lambdas/core/lock) within its timeout. */
export const MAX_WAVE_TOPICS = 1000;
const WAVE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

const Wave = lazySchema(() =>
  strict({
    name: pattern(
      WAVE_NAME,
      'a lowercase slug of 2–32 characters (a–z, 0–9, -), starting with a letter and not ending with -',
    ).describe('Names the wave in its approval, its evidence keys (cutover/waves/<name>/…) and the report.'),
    team: z.string().min(1).max(200).optional().describe('The team that owns the wave (shown in its approval).'),
    topics: z
      .array(KafkaResourceName)
      .min(1, { error: 'expected at least one topic' })
      .max(500)
      .describe(
        'Topics (exact names) whose clients are cut over in this wave; each topic in at most one wave that moves its producers (consumers-first waves read topics such a later wave lists).',
      ),
    consumerGroups: z
      .array(KafkaResourceName)
      .max(500)
      .default([])
      .describe(
        "Consumer groups (exact ids) whose offsets this wave commits on the target: the groups that read the wave's topics; each group in at most one wave.",
      ),
    switch: CutoverSwitch.optional().describe(
      "The pointer this wave's clients read; default cutover.switch (at most one wave may use it: one pointer moves every client that reads it).",
    ),
    switches: z
      .array(switchName)
      .max(MAX_CLIENT_SWITCHES)
      .default([])
      .describe('Names of the cutover.switches entries this wave moves; each entry in exactly one wave.'),
    approvers: z
      .array(Approver)
      .min(1, { error: 'expected at least one approver (or leave approvers out: approval.approvers decide)' })
      .max(50)
      .optional()
      .describe(
        "The wave's owners, who decide its cutover; default approval.approvers. The finalize stays with approval.approvers.",
      ),
    consumersFirst: z
      .boolean()
      .default(false)
      .describe(
        "A read-only pipeline's wave: only its consumers move to the target, while the producers of its topics keep writing to the source and the replication keeps copying them. It needs a pointer of its own (switch) that no producer reads, moves CONSUMERS client switches only, takes no write fence and drains nothing; its topics' producers move in a later wave that lists the same topics (or never: producersStay).",
      ),
    producersStay: z
      .boolean()
      .default(false)
      .describe(
        "With consumersFirst only: the producers of this wave's topics stay on the source for the whole migration (no wave lists those topics to move them). The replication keeps feeding these consumers on the target after the last wave: Finalize keeps the replicator, and the operator stops it later with `msk-migrate finish-replication` once the producers have moved or the readers are back on the source.",
      ),
  }),
);
export type Wave = z.output<typeof Wave>;

// ---- schema registries ----

const GLUE_REGISTRY_ARN = new RegExp(`^${ARN_PARTITION}:glue:${REGION}:${ACCOUNT}:registry/[A-Za-z0-9_$#.-]{1,255}$`);
export const MAX_SCHEMA_REGISTRIES = 5;

/** A service's base URL: http(s), no credentials, query or fragment in it (the plan travels in every state). */
const ServiceUrl = lazySchema(() =>
  z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL (https://registry.example.com:8081)` });
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        ctx.addIssue({ code: 'custom', message: `expected an http:// or https:// URL, not ${url.protocol}` });
      if (url.username || url.password)
        ctx.addIssue({
          code: 'custom',
          message:
            'credentials do not go in the URL (the plan is kept in the execution state and the evidence): put them in a secret and name it in credentialsSecretArn',
        });
      if (url.search || url.hash)
        ctx.addIssue({ code: 'custom', message: 'expected the base URL, without a query or fragment' });
    }),
);

/** Basic credentials over http:// would cross the network in clear. */
function noCredentialsOverHttp(r: { url: string; credentialsSecretArn?: string | undefined }, ctx: Ctx): void {
  if (r.credentialsSecretArn && r.url.startsWith('http://'))
    issue(
      ctx,
      ['credentialsSecretArn'],
      'the credentials would cross the network in clear over http://: use the https:// URL of the service',
    );
}

const ConfluentRegistry = lazySchema(() =>
  strict({
    url: ServiceUrl.describe("The registry's base URL, as the clients' schema.registry.url names it."),
    credentialsSecretArn: SecretArn.optional().describe(
      'A Secrets Manager secret holding {"username", "password"} (HTTP Basic; a Confluent Cloud API key and secret). It must be one of the secrets the construct lets the Inventory read (secretArns).',
    ),
    usedBy: z
      .enum(['SOURCE', 'TARGET', 'BOTH'])
      .default('BOTH')
      .describe(
        "Whose clients resolve schemas in it: the source's, the target's, or both (one registry for both sides, the default).",
      ),
  }).superRefine((r, ctx) => noCredentialsOverHttp(r, ctx)),
);

const IAM_ROLE_ARN = new RegExp(`^${ARN_PARTITION}:iam::${ACCOUNT}:role/[\\w+=,.@/-]{1,512}$`);
export const MAX_SCHEMA_CLIENT_ROLES = 20;

const SchemaRegistries = lazySchema(() =>
  strict({
    glue: z
      .array(
        strict({
          registryArn: pattern(
            GLUE_REGISTRY_ARN,
            'an AWS Glue registry ARN (arn:aws:glue:<region>:<account>:registry/<name>)',
          ).describe('A Glue Schema Registry registry the clients use.'),
        }),
      )
      .max(MAX_SCHEMA_REGISTRIES, { error: `expected at most ${MAX_SCHEMA_REGISTRIES} Glue registries` })
      .optional()
      .describe(
        "AWS Glue Schema Registry registries: their schemas, versions and compatibility are inventoried, and the records' schema versions looked up.",
      ),
    confluent: z
      .array(ConfluentRegistry)
      .max(MAX_SCHEMA_REGISTRIES, {
        error: `expected at most ${MAX_SCHEMA_REGISTRIES} Confluent-compatible registries`,
      })
      .optional()
      .describe(
        "Confluent-compatible REST registries: subjects, versions, compatibility, and the records' schema ids.",
      ),
    clientRoles: z
      .array(
        strict({
          roleArn: pattern(IAM_ROLE_ARN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)').describe(
            "A client application's IAM role (its Lambda function's or ECS task's).",
          ),
          role: z
            .enum(['CONSUMERS', 'PRODUCERS', 'BOTH'])
            .describe(
              'What it runs: consumers need glue:GetSchemaVersion, producers glue:GetSchemaByDefinition and glue:GetSchemaVersion.',
            ),
        }),
      )
      .max(MAX_SCHEMA_CLIENT_ROLES, { error: `expected at most ${MAX_SCHEMA_CLIENT_ROLES} client roles` })
      .optional()
      .describe(
        "IAM roles of the clients that resolve Glue schemas on the target side: each is simulated (IAM's SimulatePrincipalPolicy) for its serde's Glue calls on the schemas the Inventory read.",
      ),
  }).superRefine((r, ctx) => {
    const twice = <T>(list: readonly T[] | undefined, keyOf: (x: T) => string, field: string, what: string): void => {
      const seen = new Set<string>();
      (list ?? []).forEach((x, i) => {
        const k = keyOf(x);
        if (seen.has(k)) issue(ctx, [field, i], `${what} ${k} is listed twice`);
        seen.add(k);
      });
    };
    twice(r.glue, (g) => g.registryArn, 'glue', 'registry');
    twice(r.confluent, (c) => c.url.replace(/\/+$/, ''), 'confluent', 'registry');
  }),
);

// ---- Kafka Connect clusters ----

export const MAX_CONNECT_CLUSTERS = 5;

const ConnectCluster = lazySchema(() =>
  strict({
    url: ServiceUrl.describe("The Connect cluster's REST API (a worker's listener, http(s)://connect.internal:8083)."),
    credentialsSecretArn: SecretArn.optional().describe(
      'A Secrets Manager secret holding {"username", "password"} (HTTP Basic), when the REST API needs it. It must be one of the secrets the construct lets the Inventory read (secretArns).',
    ),
  }).superRefine((r, ctx) => noCredentialsOverHttp(r, ctx)),
);

const ConnectClusters = lazySchema(() =>
  z
    .array(ConnectCluster)
    .min(1, { error: 'expected at least one Connect cluster (or leave connectClusters out)' })
    .max(MAX_CONNECT_CLUSTERS, { error: `expected at most ${MAX_CONNECT_CLUSTERS} Connect clusters` })
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((c, i) => {
        const k = c.url.replace(/\/+$/, '');
        if (seen.has(k)) issue(ctx, [i], `Connect cluster ${k} is listed twice`);
        seen.add(k);
      });
    }),
);

// ---- the schema ----

const PlanShape = lazySchema(() =>
  strict({
    migrationId: pattern(
      MIGRATION_ID,
      'a lowercase slug of 3–40 characters (a–z, 0–9, -), starting with a letter and not ending with -',
    ).describe('Names the migration in resource names, tags and the evidence.'),
    source: Source.superRefine(checkSource).describe('The MSK provisioned cluster being migrated off.'),
    target: Target.superRefine(checkTarget).describe('The cluster the workloads move to.'),
    replication: Replication.describe('How the data and the consumer-group offsets are copied.'),
    gates: Gates.superRefine(checkGates).prefault({}).describe('When replication counts as caught up.'),
    approval: Approval.superRefine(checkApproval).describe('Who approves the cutover and the finalize, and where.'),
    cutover: Cutover.superRefine(checkCutover).describe('The single-writer switch.'),
    assessment: Assessment.prefault({}).describe(
      'How the assessment judges the fit: headroom, accepted findings, profile corrections.',
    ),
    validation: Validation.optional().describe(
      "What ValidateTarget checks beyond the data: the principals' access on the target.",
    ),
    recovery: Recovery.optional().describe(
      'What a replicator restart may leave on the target (duplicates), what consumers may read again, and groups started fresh.',
    ),
    schemaRegistries: SchemaRegistries.optional().describe(
      "The schema registries the clients use: the Inventory reads them and the assessment checks the target's clients will resolve the records' schemas.",
    ),
    connectClusters: ConnectClusters.optional().describe(
      'Self-managed Kafka Connect clusters (their REST APIs): the Inventory lists their connectors, what each reads and writes, and whether the workers use the source.',
    ),
    tags: Tags().optional().describe('Tags added to everything the execution creates.'),
    waves: z
      .array(Wave)
      .min(1, { error: 'expected at least one wave (or leave waves out: one cutover of every topic)' })
      .max(MAX_WAVES, { error: `expected at most ${MAX_WAVES} waves (each adds a cutover to the execution's history)` })
      .optional()
      .describe(
        'The cutover in waves, run in order in this execution: each wave its own approval, fence, drain, offsets, switch and rollback window, and a rollback undoes that wave only. Absent: one cutover of every replicated topic.',
      ),
  }),
);

export const MigrationPlanSchema = lazySchema(() =>
  PlanShape.superRefine(checkAcrossSections, {
    // On any object: each rule checks first that the fields it reads have no issue of their own (readableFields).
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
    .transform((plan) => ({
      ...plan,
      // MSK targets are reached with IAM unless the plan says otherwise (MSK Serverless only has IAM).
      target: { ...plan.target, auth: plan.target.auth ?? IAM_AUTH },
    }))
    .describe('One migration off Amazon MSK: the input of one Step Functions execution.'),
);

/** The sections of a plan each check besides the schema reads, valid on their own (with their defaults). */
export interface ValidSections {
  readonly gates?: MigrationPlan['gates'];
  readonly cutover?: MigrationPlan['cutover'];
  readonly replication?: MigrationPlan['replication'];
  readonly target?: z.output<typeof PlanShape>['target'];
}

/**
 * The sections of an input that pass their own schema, whatever is wrong elsewhere: the checks that read only these
 * (lambdas/core/plan/runtimes.ts, history-budget.ts) then run on a plan with problems in other sections, and every
 * problem is reported in one run.
 */
export function validSections(input: unknown): ValidSections {
  if (typeof input !== 'object' || input === null) return {};
  const raw = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of ['gates', 'cutover', 'replication', 'target'] as const) {
    const parsed = PlanShape.shape[name].safeParse(raw[name]);
    if (parsed.success) out[name] = parsed.data;
  }
  return out as ValidSections;
}

/** What an operator writes (defaults optional). */
export type MigrationPlanInput = z.input<typeof MigrationPlanSchema>;
/** What every state after ValidateInput reads under `$.input` (defaults applied). */
export type MigrationPlan = z.output<typeof MigrationPlanSchema>;

// ---- validation result ----

export interface PlanIssue {
  /** Dotted field path (`gates.pollIntervalSeconds`, `approval.approvers.1`); `(root)` for the whole input. */
  readonly path: string;
  /** What is wrong and what is expected. */
  readonly message: string;
}

/** The shape of the CLI's InputValidation (cli/commands/operator-context.ts), with the plan on success. */
export type MigrationPlanValidation =
  | { readonly valid: true; readonly plan: MigrationPlan; readonly issues: readonly [] }
  | { readonly valid: false; readonly issues: readonly PlanIssue[] };

const joinPath = (path: readonly PropertyKey[]): string => (path.length === 0 ? '(root)' : path.map(String).join('.'));

/** Zod issues as a person reads them: one per field (one per unknown key), each with its path and what is expected. */
export function planIssues(error: z.ZodError): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const iss of error.issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys)
        out.push({ path: joinPath([...iss.path, key]), message: `unknown field "${key}" (${iss.message})` });
      continue;
    }
    let message = iss.message;
    if (iss.code === 'invalid_union' && 'options' in iss && Array.isArray(iss.options))
      message = `expected one of: ${iss.options.map(String).join(', ')}`;
    else if (iss.code === 'invalid_type' && /received undefined$/.test(message))
      message = `required: expected ${iss.expected}`;
    else if (iss.code === 'invalid_type') message = message.replace(/^Invalid input: /, '');
    out.push({ path: joinPath(iss.path), message });
  }
  return out;
}

/**
 * Step Functions caps an execution's input and each state's data at 256 KB; the validated plan travels in the state
 * (`$.input`) beside every phase's result, so it gets half of that.
 */
export const MAX_PLAN_BYTES = 128 * 1024;

/** The check ValidateInput, `msk-migrate validate` and `msk-migrate start` share. */
export function validateMigrationPlan(input: unknown): MigrationPlanValidation {
  const parsed = MigrationPlanSchema.safeParse(input);
  const issues = parsed.success ? [] : planIssues(parsed.error);
  const bytes = new TextEncoder().encode(JSON.stringify(parsed.success ? parsed.data : input) ?? '').length;
  if (bytes > MAX_PLAN_BYTES) {
    issues.unshift({
      path: '(root)',
      message: `the plan is ${bytes} bytes (defaults applied); expected at most ${MAX_PLAN_BYTES} bytes, since it travels in the Step Functions state, whose limit is 256 KB: select topics by a few patterns rather than by name`,
    });
  }
  if (parsed.success && issues.length === 0) return { valid: true, plan: parsed.data, issues: [] };
  return { valid: false, issues };
}
