import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MigrationStack } from '../../lib/migration-stack';

describe('MigrationStack', () => {
  let app: App;
  let stack: MigrationStack;
  let template: Template;

  beforeAll(() => {
    app = new App();
    stack = new MigrationStack(app, 'TestStack');
    template = Template.fromStack(stack);
  });

  it('deploys a Standard state machine with X-Ray tracing and ALL-level logging with execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  it('loads the definition from statemachine/migration.asl.json with the task ARNs substituted', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const machine = Object.values(machines)[0] as { Properties: Record<string, unknown> };
    expect(machine.Properties.DefinitionS3Location).toBeDefined();
    expect(Object.keys(machine.Properties.DefinitionSubstitutions as object)).toContain('ValidateInputFunctionArn');
  });

  it('gives every task function the factory defaults: nodejs22.x on arm64, tracing, source maps', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).length).toBeGreaterThan(0);
    for (const fn of Object.values(functions) as Array<{ Properties: Record<string, unknown> }>) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
      expect(fn.Properties.LoggingConfig).toBeDefined();
    }
  });

  it('uses no AWS managed policy on any role', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles) as Array<{ Properties: Record<string, unknown> }>) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('keeps the evidence bucket encrypted, versioned, private and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }),
      DeletionPolicy: 'Retain',
    });
  });

  it('passes cdk-nag AwsSolutions with every finding either fixed or acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const unexplained = report.violations.map((v) => `${v.ruleName}: ${v.description}`);
    expect(unexplained).toEqual([]);
  });

  it('fails cdk-nag on an unexplained finding (the check is live)', () => {
    const probeApp = new App();
    const probe = new Stack(probeApp, 'Probe');
    // An unacknowledged bucket without access logs, TLS enforcement or encryption settings.
    new Bucket(probe, 'Loose');
    const report = new AwsSolutionsChecks(probeApp).validateScope(probe);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1/)]));
  });
});
