import {
  GetRegistryCommand,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  GlueClient,
  ListSchemasCommand,
  ListSchemasCommandInput,
  ListSchemaVersionsCommand,
} from '@aws-sdk/client-glue';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { GlueSchemaRegistry } from '../../lambdas/adapters/aws/glue-schema-registry';
import { IamPolicySimulator } from '../../lambdas/adapters/aws/iam-policy-simulator';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { schemaRegistryInventoryRule } from '../../lambdas/core/assessment/rules/schema-registries';
import { AuthFailedError, TransientError } from '../../lambdas/core/errors';
import type { Inventory } from '../../lambdas/core/inventory/model';
import { readSchemaRegistries, registryArnOfSchema } from '../../lambdas/core/inventory/schema-registries';
import { resolveProfile } from '../../lambdas/core/profiles';
import { inventoryWithSchemaIds } from './inventory-fixtures';

const glue = mockClient(GlueClient);
const iam = mockClient(IAMClient);
const ACCOUNT = '111122223333';
const registryArn = (region: string, name: string): string => `arn:aws:glue:${region}:${ACCOUNT}:registry/${name}`;
const schemaArn = (region: string, registry: string, name: string): string =>
  `arn:aws:glue:${region}:${ACCOUNT}:schema/${registry}/${name}`;
const ORDERS = registryArn('eu-west-1', 'orders');
const ORDER_SCHEMA = schemaArn('eu-west-1', 'orders', 'order-value');
const V_ORDERS = '6d1f8a2e-3b4c-4d5e-8f90-a1b2c3d4e5f6';
const V_PAYMENTS = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const V_GONE = 'ffffffff-1111-4222-8333-444444444444';
const profile = resolveProfile('msk-serverless');

/** Regions the adapter asked for a client in, in order. */
let regionsAsked: string[] = [];
const reads = (): GlueSchemaRegistry =>
  new GlueSchemaRegistry((region) => {
    regionsAsked.push(region);
    return new GlueClient({ region });
  });

/** An inventory whose sampled records carry these Glue schema version ids, by topic. */
const withRecords = (byTopic: Record<string, string[]>): Inventory => inventoryWithSchemaIds('glue', byTopic);

function mockRegistry(arn: string, schemas: Array<{ arn: string; name: string; compatibility?: string }>): void {
  glue.on(GetRegistryCommand, { RegistryId: { RegistryArn: arn } }).resolves({
    RegistryArn: arn,
    RegistryName: arn.split('/').pop(),
    Status: 'AVAILABLE',
  });
  glue
    .on(ListSchemasCommand, { RegistryId: { RegistryArn: arn } })
    .resolves({ Schemas: schemas.map((s) => ({ SchemaArn: s.arn, SchemaName: s.name })) });
  for (const s of schemas) {
    glue.on(GetSchemaCommand, { SchemaId: { SchemaArn: s.arn } }).resolves({
      SchemaArn: s.arn,
      SchemaName: s.name,
      SchemaStatus: 'AVAILABLE',
      DataFormat: 'AVRO',
      Compatibility: (s.compatibility ?? 'BACKWARD') as 'BACKWARD',
      LatestSchemaVersion: 2,
    });
    glue.on(ListSchemaVersionsCommand, { SchemaId: { SchemaArn: s.arn } }).resolves({
      Schemas: [
        { SchemaArn: s.arn, VersionNumber: 2, Status: 'AVAILABLE' },
        { SchemaArn: s.arn, VersionNumber: 1, Status: 'AVAILABLE' },
      ],
    });
  }
}

describe('AWS Glue Schema Registry reads', () => {
  beforeEach(() => {
    glue.reset();
    regionsAsked = [];
  });

  it('describes a registry in its own Region: every page of schemas, each with its compatibility and versions', async () => {
    // Prepare
    glue.on(GetRegistryCommand).resolves({ RegistryName: 'orders', Status: 'AVAILABLE' });
    glue
      .on(ListSchemasCommand, { NextToken: undefined } as ListSchemasCommandInput)
      .resolves({ Schemas: [{ SchemaArn: ORDER_SCHEMA, SchemaName: 'order-value' }], NextToken: 'page-2' })
      .on(ListSchemasCommand, { NextToken: 'page-2' })
      .resolves({ Schemas: [{ SchemaArn: schemaArn('eu-west-1', 'orders', 'order-key'), SchemaName: 'order-key' }] });
    glue.on(GetSchemaCommand).resolves({
      SchemaStatus: 'AVAILABLE',
      DataFormat: 'AVRO',
      Compatibility: 'FULL',
      LatestSchemaVersion: 3,
    });
    glue.on(ListSchemaVersionsCommand).resolves({
      Schemas: [
        { VersionNumber: 3, Status: 'AVAILABLE' },
        { VersionNumber: 1, Status: 'AVAILABLE' },
        { VersionNumber: 2, Status: 'FAILURE' },
      ],
    });
    // Act
    const d = await reads().describeRegistry(ORDERS);
    // Assess
    expect(regionsAsked).toEqual(['eu-west-1']);
    expect(glue).toHaveReceivedCommandWith(GetRegistryCommand, { RegistryId: { RegistryArn: ORDERS } });
    expect(glue).toHaveReceivedCommandWith(ListSchemasCommand, {
      RegistryId: { RegistryArn: ORDERS },
      MaxResults: 100,
      NextToken: 'page-2',
    });
    expect(glue).toHaveReceivedCommandWith(GetSchemaCommand, { SchemaId: { SchemaArn: ORDER_SCHEMA } });
    expect(glue).toHaveReceivedCommandWith(ListSchemaVersionsCommand, {
      SchemaId: { SchemaArn: ORDER_SCHEMA },
      MaxResults: 100,
    });
    expect(d).toMatchObject({ registryName: 'orders', status: 'AVAILABLE', truncated: false });
    expect(d.schemas.map((s) => s.schemaName)).toEqual(['order-key', 'order-value']);
    expect(d.schemas[1]).toMatchObject({
      compatibility: 'FULL',
      latestVersion: 3,
      versions: [
        { versionNumber: 1, status: 'AVAILABLE' },
        { versionNumber: 2, status: 'FAILURE' },
        { versionNumber: 3, status: 'AVAILABLE' },
      ],
    });
  });

  it('finds a version by the id a record carries; none there is undefined, a refusal AuthFailed', async () => {
    glue.on(GetSchemaVersionCommand, { SchemaVersionId: V_ORDERS }).resolves({
      SchemaVersionId: V_ORDERS,
      SchemaArn: ORDER_SCHEMA,
      VersionNumber: 2,
      Status: 'AVAILABLE',
      DataFormat: 'AVRO',
    });
    glue
      .on(GetSchemaVersionCommand, { SchemaVersionId: V_GONE })
      .rejects(Object.assign(new Error('Schema version is not found.'), { name: 'EntityNotFoundException' }));
    expect(await reads().findSchemaVersion('eu-west-1', V_ORDERS)).toEqual({
      schemaVersionId: V_ORDERS,
      schemaArn: ORDER_SCHEMA,
      versionNumber: 2,
      status: 'AVAILABLE',
      dataFormat: 'AVRO',
    });
    expect(glue).toHaveReceivedCommandWith(GetSchemaVersionCommand, { SchemaVersionId: V_ORDERS });
    expect(await reads().findSchemaVersion('eu-west-1', V_GONE)).toBeUndefined();
    glue.reset();
    glue.on(GetSchemaVersionCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    await expect(reads().findSchemaVersion('eu-west-1', V_ORDERS)).rejects.toBeInstanceOf(AuthFailedError);
  });

  it("names a schema's registry from its ARN", () => {
    expect(registryArnOfSchema(ORDER_SCHEMA)).toBe(ORDERS);
    expect(registryArnOfSchema('arn:aws:glue:eu-west-1:1:table/x')).toBeUndefined();
  });
});

describe('the Glue registries in the inventory and the assessment', () => {
  beforeEach(() => {
    glue.reset();
    regionsAsked = [];
  });

  it("looks each record's version up in the plan's registries' Regions and its own, and describes where it leads", async () => {
    // Prepare: orders' version is in the named registry; payments' in a registry the plan does not name (another
    // Region's lookup finds nothing, the Inventory's Region finds it); one version is nowhere.
    const paymentsSchema = schemaArn('eu-central-1', 'payments', 'payment-value');
    mockRegistry(ORDERS, [{ arn: ORDER_SCHEMA, name: 'order-value' }]);
    mockRegistry(registryArn('eu-central-1', 'payments'), [
      { arn: paymentsSchema, name: 'payment-value', compatibility: 'NONE' },
    ]);
    glue.on(GetSchemaVersionCommand).callsFake(async (input: { SchemaVersionId?: string }, getClient) => {
      const region = await (getClient() as GlueClient).config.region();
      if (input.SchemaVersionId === V_ORDERS && region === 'eu-west-1')
        return { SchemaArn: ORDER_SCHEMA, VersionNumber: 2, Status: 'AVAILABLE', DataFormat: 'AVRO' };
      if (input.SchemaVersionId === V_PAYMENTS && region === 'eu-central-1')
        return { SchemaArn: paymentsSchema, VersionNumber: 1, Status: 'AVAILABLE', DataFormat: 'AVRO' };
      throw Object.assign(new Error('Schema version is not found.'), { name: 'EntityNotFoundException' });
    });
    const inv = withRecords({ orders: [V_ORDERS], payments: [V_PAYMENTS], refunds: [V_GONE] });
    // Act
    const regs = await readSchemaRegistries(
      { glue: reads(), region: 'eu-central-1' },
      { glue: [{ registryArn: ORDERS }] },
      inv,
    );
    // Assess
    expect(regs?.glueVersions).toEqual([
      expect.objectContaining({ schemaVersionId: V_ORDERS, result: 'FOUND', region: 'eu-west-1', topics: ['orders'] }),
      expect.objectContaining({ schemaVersionId: V_PAYMENTS, result: 'FOUND', region: 'eu-central-1' }),
      expect.objectContaining({
        schemaVersionId: V_GONE,
        result: 'NOT_FOUND',
        regions: ['eu-west-1', 'eu-central-1'],
      }),
    ]);
    expect(regs?.glue.map((g) => [g.registryArn, g.namedBy, g.status])).toEqual([
      [ORDERS, 'PLAN', 'COLLECTED'],
      [registryArn('eu-central-1', 'payments'), 'RECORDS', 'COLLECTED'],
    ]);

    const findings = schemaRegistryInventoryRule(
      { ...inv, schemaRegistries: regs! },
      profile,
      assessmentOptions({ targetRegion: 'eu-central-1' }),
    );
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('schema-registry.glue-version-missing')).toMatchObject({
      severity: 'BLOCKER',
      items: [`${V_GONE} (refunds): in no registry of eu-west-1, eu-central-1`],
    });
    // The named registry is in eu-west-1, the target in eu-central-1: the serdes must keep naming eu-west-1.
    expect(byId.get('schema-registry.glue-cross-region')).toMatchObject({
      severity: 'WARNING',
      items: [`${ORDERS} (eu-west-1)`, `${ORDER_SCHEMA} (eu-west-1)`],
    });
    expect(byId.get('schema-registry.glue-cross-region')?.remediation).toMatch(/glue:GetSchemaVersion/);
    expect(byId.get('schema-registry.glue-inventory')?.items).toEqual([
      'orders/order-value: AVRO, BACKWARD, 2 versions (latest 2), AVAILABLE',
      'payments/payment-value: AVRO, NONE, 2 versions (latest 2), AVAILABLE',
    ]);
    // Only the migrated topics count: without refunds in the selection, nothing blocks.
    const narrowed = schemaRegistryInventoryRule(
      { ...inv, schemaRegistries: regs! },
      profile,
      assessmentOptions({ topics: { include: ['orders', 'payments'] }, targetRegion: 'eu-west-1' }),
    );
    expect(narrowed.filter((f) => f.severity === 'BLOCKER')).toEqual([]);
  });

  it('blocks on a version the records carry that is being deleted, and on a registry being deleted', async () => {
    mockRegistry(ORDERS, [{ arn: ORDER_SCHEMA, name: 'order-value' }]);
    glue.on(GetRegistryCommand).resolves({ RegistryName: 'orders', Status: 'DELETING' });
    glue
      .on(GetSchemaVersionCommand)
      .resolves({ SchemaArn: ORDER_SCHEMA, VersionNumber: 1, Status: 'DELETING', DataFormat: 'AVRO' });
    const inv = withRecords({ orders: [V_ORDERS] });
    const regs = await readSchemaRegistries({ glue: reads(), region: 'eu-west-1' }, undefined, inv);
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    expect(findings.find((f) => f.id === 'schema-registry.glue-unavailable')).toMatchObject({
      severity: 'BLOCKER',
      items: [`${ORDER_SCHEMA} version 1 (orders): DELETING`, `${ORDERS}: registry DELETING`],
    });
  });

  it('records a refused registry as not collected with the grants to add, a gap; throttling is retried', async () => {
    glue
      .on(GetRegistryCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    const inv = withRecords({ orders: [] });
    const regs = await readSchemaRegistries(
      { glue: reads(), region: 'eu-west-1' },
      { glue: [{ registryArn: ORDERS }] },
      inv,
    );
    expect(regs?.glue).toEqual([
      {
        status: 'NOT_COLLECTED',
        registryArn: ORDERS,
        region: 'eu-west-1',
        namedBy: 'PLAN',
        reason: expect.stringMatching(/AccessDeniedException.*glue:GetRegistry, glue:ListSchemas/),
      },
    ]);
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['schema-registry.glue-not-read:WARNING']);

    glue.reset();
    glue.on(GetRegistryCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(
      readSchemaRegistries({ glue: reads() }, { glue: [{ registryArn: ORDERS }] }, inv),
    ).rejects.toBeInstanceOf(TransientError);
  });

  it('reads nothing when the plan names no registry and no record carries a Glue version, or there is no reader', async () => {
    expect(await readSchemaRegistries({ glue: reads() }, undefined, withRecords({ orders: ['42'] }))).toBeUndefined();
    expect(await readSchemaRegistries({}, undefined, withRecords({ orders: [V_ORDERS] }))).toBeUndefined();
    expect(glue.calls()).toHaveLength(0);
    // A plan that names one where the runtime has no Glue reader: said, not silently skipped.
    expect(
      (await readSchemaRegistries({}, { glue: [{ registryArn: ORDERS }] }, withRecords({ orders: [] })))?.notRead,
    ).toEqual(['AWS Glue Schema Registry: no Glue reader in this runtime (the local rehearsal has none).']);
  });
});

describe("the clients' roles, simulated on the schemas their records use", () => {
  const CONSUMER = `arn:aws:iam::${ACCOUNT}:role/orders-consumer`;
  const BLOCKED = `arn:aws:iam::${ACCOUNT}:role/payments-consumer`;
  const PRODUCER = `arn:aws:iam::${ACCOUNT}:role/orders-producer`;
  const GONE = `arn:aws:iam::${ACCOUNT}:role/deleted-role`;

  beforeEach(() => {
    glue.reset();
    iam.reset();
  });

  it("blocks on a consumer denied a version its topics' records carry, warns on the rest, says what it could not simulate", async () => {
    // Prepare: the records of orders carry a version of the named registry's schema.
    mockRegistry(ORDERS, [{ arn: ORDER_SCHEMA, name: 'order-value' }]);
    glue
      .on(GetSchemaVersionCommand)
      .resolves({ SchemaArn: ORDER_SCHEMA, VersionNumber: 2, Status: 'AVAILABLE', DataFormat: 'AVRO' });
    const allowed = (action: string) => ({
      EvalActionName: action,
      EvalResourceName: ORDER_SCHEMA,
      EvalDecision: 'allowed' as const,
    });
    iam
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: CONSUMER })
      .resolves({ EvaluationResults: [allowed('glue:GetSchemaVersion')], IsTruncated: false })
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: BLOCKED })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'glue:GetSchemaVersion',
            EvalDecision: 'implicitDeny',
            ResourceSpecificResults: [{ EvalResourceName: ORDER_SCHEMA, EvalResourceDecision: 'implicitDeny' }],
          },
        ],
      })
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: PRODUCER })
      .resolves({
        EvaluationResults: [
          {
            EvalActionName: 'glue:GetSchemaByDefinition',
            EvalResourceName: ORDER_SCHEMA,
            EvalDecision: 'explicitDeny',
          },
          allowed('glue:GetSchemaVersion'),
        ],
      })
      .on(SimulatePrincipalPolicyCommand, { PolicySourceArn: GONE })
      .rejects(
        Object.assign(new Error('The role with name deleted-role cannot be found.'), { name: 'NoSuchEntityException' }),
      );
    const inv = withRecords({ orders: [V_ORDERS] });
    // Act
    const regs = await readSchemaRegistries(
      { glue: reads(), access: new IamPolicySimulator(new IAMClient({})), region: 'eu-west-1' },
      {
        glue: [{ registryArn: ORDERS }],
        clientRoles: [
          { roleArn: CONSUMER, role: 'CONSUMERS' },
          { roleArn: BLOCKED, role: 'CONSUMERS' },
          { roleArn: PRODUCER, role: 'PRODUCERS' },
          { roleArn: GONE, role: 'BOTH' },
        ],
      },
      inv,
    );
    // Assess
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: CONSUMER,
      ActionNames: ['glue:GetSchemaVersion'],
      ResourceArns: [ORDER_SCHEMA],
    });
    expect(iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      PolicySourceArn: PRODUCER,
      ActionNames: ['glue:GetSchemaByDefinition', 'glue:GetSchemaVersion'],
      ResourceArns: [ORDER_SCHEMA],
    });
    expect(regs?.clientAccess.map((a) => a.status)).toEqual(['SIMULATED', 'SIMULATED', 'SIMULATED', 'NOT_SIMULATED']);
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('schema-registry.glue-client-denied')).toMatchObject({
      severity: 'BLOCKER',
      items: [`${BLOCKED} (CONSUMERS): glue:GetSchemaVersion on ${ORDER_SCHEMA} implicitDeny`],
    });
    expect(byId.get('schema-registry.glue-client-limited')).toMatchObject({
      severity: 'WARNING',
      items: [`${PRODUCER} (PRODUCERS): glue:GetSchemaByDefinition on ${ORDER_SCHEMA} explicitDeny`],
    });
    expect(byId.get('schema-registry.glue-not-read')?.items).toEqual([
      expect.stringMatching(
        /deleted-role \(BOTH\): IAM could not simulate it: .*NoSuchEntityException: The role with name/,
      ),
    ]);
  });
});
