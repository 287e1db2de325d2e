import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mapAclsToIamPolicies } from '../../lambdas/core/security-mapping/map-acls-to-iam';
import { IamPolicyMapping } from '../../lib/iam-policy-mapping';

const mapping = mapAclsToIamPolicies(
  {
    principals: [],
    acls: [
      {
        resourceType: 'TOPIC',
        resourceName: 'orders',
        patternType: 'LITERAL',
        principal: 'User:billing',
        host: '*',
        operation: 'READ',
        permissionType: 'ALLOW',
      },
      {
        resourceType: 'GROUP',
        resourceName: 'billing',
        patternType: 'LITERAL',
        principal: 'User:billing',
        host: '*',
        operation: 'READ',
        permissionType: 'ALLOW',
      },
      {
        resourceType: 'TOPIC',
        resourceName: 'audit-',
        patternType: 'PREFIXED',
        principal: 'User:audit',
        host: '*',
        operation: 'WRITE',
        permissionType: 'ALLOW',
      },
    ],
    allowEveryoneIfNoAclFound: false,
    topics: ['orders', 'audit-eu'],
  },
  {
    region: 'eu-west-1',
    accountId: '123456789012',
    clusterName: 'orders-serverless',
    clusterUuid: 'abcd-1',
    serverless: true,
  },
);

function build(fn: (stack: Stack) => IamPolicyMapping) {
  const app = new App();
  const stack = new Stack(app, 'PolicyMappingTest');
  const construct = fn(stack);
  return { app, construct, template: Template.fromStack(stack) };
}

describe('IamPolicyMapping', () => {
  it('deploys one managed policy per principal with the generated document', () => {
    // Act
    const { template } = build((stack) => new IamPolicyMapping(stack, 'Clients', { mapping }));
    // Assess
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Kafka access of User:billing on the IAM-only target, generated from its ACLs',
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
            Resource: 'arn:aws:kafka:eu-west-1:123456789012:topic/orders-serverless/abcd-1/orders',
          }),
        ]),
      }),
    });
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('creates the suggested roles with their policy when asked', () => {
    // Act
    const { template, construct } = build(
      (stack) =>
        new IamPolicyMapping(stack, 'Clients', {
          mapping,
          createRolesAssumedBy: new iam.AccountPrincipal('123456789012'),
          exclude: ['User:audit'],
        }),
    );
    // Assess
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'msk-client-billing',
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('msk-?client-?billing') }],
    });
    expect([...construct.roles.keys()]).toEqual(['User:billing']);
  });

  it('reads the mapping from the JSON file of the evidence, and says what to do when it is not one', () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-'));
    const good = path.join(dir, 'security-mapping.json');
    fs.writeFileSync(good, JSON.stringify(mapping));
    const bad = path.join(dir, 'other.json');
    fs.writeFileSync(bad, '{"findings": []}');
    // Act
    const { template } = build((stack) => IamPolicyMapping.fromFile(stack, 'Clients', good));
    // Assess
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    expect(() => build((stack) => IamPolicyMapping.fromFile(stack, 'Clients', bad))).toThrow(/no "policies" array/);
    expect(() => build((stack) => IamPolicyMapping.fromFile(stack, 'Clients', path.join(dir, 'missing.json')))).toThrow(
      /Download security\/security-mapping.json/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("passes cdk-nag with the prefix wildcards acknowledged as the ACLs' own scope", () => {
    // Prepare
    const { app, construct } = build((stack) => new IamPolicyMapping(stack, 'Clients', { mapping }));
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(construct);
    // Assess
    expect(report.violations.map((v) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });
});
