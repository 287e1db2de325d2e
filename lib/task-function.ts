import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { HandlerBundles, type BundleTarget } from './handler-bundles';

/** Repository root, resolved from this file so that synth works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..');

export interface TaskFunctionProps {
  /** Entry file, relative to the repository root (e.g. `lambdas/tasks/inventory/handler.ts`). */
  readonly entry: string;
  /** Short description shown in the Lambda console. */
  readonly description: string;
  /**
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Environment variables (never secrets: pass a Secrets Manager ARN instead).
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Network placement: tasks that speak to the Kafka data plane must run in the clusters' VPC.
   * @default - not in a VPC
   */
  readonly vpcConfig?: Pick<nodejs.NodejsFunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>;
  /**
   * Code to deploy instead of the bundled entry (for infra tests, where bundling two dozen handlers would dominate
   * the run, and for handlers another change is still writing). Exports `handler` from `index`.
   * @default - the entry bundled with esbuild (`HandlerBundles`: one esbuild run for the entries an app prebuilds,
   *   reused while their sources are unchanged); the context key `TaskFunction.INLINE_CODE_CONTEXT` set to `true`
   *   gives every task function of the app a placeholder inline handler instead (tests only)
   */
  readonly code?: lambda.Code;
  /**
   * What the bundle is built for (lib/handler-bundles.ts, BundleTarget): a data-plane function's Kafka client, so
   * that its bundle leaves out the other client's adapter. Pass the same target to `prebuild`.
   * @default {} - both Kafka adapters bundled
   */
  readonly bundleTarget?: BundleTarget;
}

/**
 * The one function factory of the project: every task gets the same runtime (nodejs22.x on arm64), local esbuild
 * bundling with source maps (no Docker), its own log group with a retention, and X-Ray tracing.
 *
 * The bundle comes from `HandlerBundles` (esbuild settings in `BUNDLE_OPTIONS`) rather than from NodejsFunction's
 * own bundling, which runs esbuild once per function: `TaskFunction.prebuild` with every entry of the app first
 * bundles them all in one esbuild run.
 */
export class TaskFunction extends nodejs.NodejsFunction {
  /**
   * Context key: `true` replaces every task function's bundle with a placeholder inline handler. For infra tests
   * that assert IAM, wiring and settings, not code; never set it for a deployment (the placeholder throws).
   */
  static readonly INLINE_CODE_CONTEXT = '@msk-migration/task-function:inlineCodeForTests';

  /** The placeholder of INLINE_CODE_CONTEXT: fails loudly if it is ever deployed and invoked. */
  static placeholderCode(entry: string): lambda.Code {
    return lambda.Code.fromInline(
      `exports.handler = async () => { throw new Error(${JSON.stringify(`placeholder for ${entry}: synthesized for a test, not deployable`)}); };`,
    );
  }

  /**
   * Bundles these entries (relative to the repository root) in one esbuild run, unless the app uses placeholder
   * code (INLINE_CODE_CONTEXT). Task functions created afterwards for them only look their bundle up.
   */
  static prebuild(scope: Construct, entries: readonly string[], target: BundleTarget = {}): void {
    if (!inlineCode(scope))
      HandlerBundles.of(REPO_ROOT).prebuild(
        entries.filter((entry) => fs.existsSync(path.join(REPO_ROOT, entry))),
        target,
      );
  }

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    if (!props.code && !inlineCode(scope) && !fs.existsSync(path.join(REPO_ROOT, props.entry))) {
      throw new Error(
        `TaskFunction ${id}: the handler ${props.entry} does not exist. Write it (export \`handler\`), or fix the entry path.`,
      );
    }
    const code =
      props.code ??
      (inlineCode(scope) ? TaskFunction.placeholderCode(props.entry) : bundledCode(props.entry, props.bundleTarget));
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: logs only to this function's log group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      role,
      code,
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(1),
      description: props.description,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      // The state machine invokes `currentVersion` (a published version), so an execution keeps the code it started
      // with across deploys; old versions are retained because an execution started weeks ago may still call them.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'msk-migration',
        ...props.environment,
      },
      ...props.vpcConfig,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (added by tracing: ACTIVE) support no resource-level permissions.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime this project is tested and pinned on (Node 24 is not yet supported by every dependency).',
    });
  }
}

function inlineCode(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(TaskFunction.INLINE_CODE_CONTEXT);
  return value === true || value === 'true';
}

/** The esbuild bundle of the entry as an asset whose hash is that of the bundle's content. */
function bundledCode(entry: string, target: BundleTarget = {}): lambda.Code {
  const bundle = HandlerBundles.of(REPO_ROOT).bundle(entry, target);
  return lambda.Code.fromAsset(bundle.directory, { assetHash: bundle.assetHash, assetHashType: AssetHashType.CUSTOM });
}
