import {
  CreateRegistryCommand,
  CreateSchemaCommand,
  GlueClient,
  RegisterSchemaVersionCommand,
} from '@aws-sdk/client-glue';
import { GlueSchemaRegistry } from '../../lambdas/adapters/aws/glue-schema-registry';
import { readSchemaRegistries } from '../../lambdas/core/inventory/schema-registries';
import type { Inventory } from '../../lambdas/core/inventory/model';
import { inventory, topic } from '../unit/inventory-fixtures';
import { emulatorClientConfig } from './emulator/aws-clients';
import { EMULATOR_REGION, startMotoServer, type MotoServer } from './emulator/moto-server';

const V1 = '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}';
const V2 =
  '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}]}';

/**
 * GlueSchemaRegistry.findSchemaVersion against the Glue API (moto server): the version id the Glue serde writes in
 * each record resolves to its schema, its number and status; an id Glue does not know is its EntityNotFoundException,
 * which the Inventory records as NOT_FOUND. (moto 5.2.5 serves CreateRegistry, CreateSchema, RegisterSchemaVersion,
 * GetRegistry, GetSchema, GetSchemaVersion; not ListSchemas or ListSchemaVersions, so describeRegistry is proven by
 * the unit tier's request shapes only.)
 */
describe('GlueSchemaRegistry against the Glue API (moto server)', () => {
  let server: MotoServer;
  let glue: GlueClient;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['Glue'] });
    glue = new GlueClient(emulatorClientConfig(server));
  }, 45_000);

  afterAll(async () => {
    glue?.destroy();
    await server?.stop();
  });

  it('finds the versions records carry by their id, and reports an unknown id as none', async () => {
    // Prepare: a registry with one schema in two versions, as a producer's serde registers them.
    const registry = await glue.send(new CreateRegistryCommand({ RegistryName: 'orders' }));
    const schema = await glue.send(
      new CreateSchemaCommand({
        RegistryId: { RegistryArn: registry.RegistryArn },
        SchemaName: 'orders-value',
        DataFormat: 'AVRO',
        Compatibility: 'BACKWARD',
        SchemaDefinition: V1,
      }),
    );
    const second = await glue.send(
      new RegisterSchemaVersionCommand({ SchemaId: { SchemaArn: schema.SchemaArn }, SchemaDefinition: V2 }),
    );
    const reads = new GlueSchemaRegistry(() => glue);
    // Act
    const first = await reads.findSchemaVersion(EMULATOR_REGION, schema.SchemaVersionId!);
    const later = await reads.findSchemaVersion(EMULATOR_REGION, second.SchemaVersionId!);
    const unknown = await reads.findSchemaVersion(EMULATOR_REGION, '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    // Assess
    expect(first).toEqual({
      schemaVersionId: schema.SchemaVersionId,
      schemaArn: schema.SchemaArn,
      versionNumber: 1,
      status: 'AVAILABLE',
      dataFormat: 'AVRO',
    });
    expect(later).toMatchObject({ schemaArn: schema.SchemaArn, versionNumber: 2, status: 'AVAILABLE' });
    expect(unknown).toBeUndefined();

    // Through the Inventory's read: found where the serde registered it, the unknown one NOT_FOUND (no crash).
    const inv: Inventory = {
      ...inventory({ topics: [topic('orders')] }),
      clientBehaviour: {
        client: '@platformatic/kafka',
        note: 'n',
        producers: { status: 'COLLECTED', partitionsAsked: 0, partitionsRead: 0, topics: [], notes: [] },
        transactions: { status: 'COLLECTED', transactions: [], notes: [] },
        records: {
          status: 'COLLECTED',
          bytesPerPartition: 1,
          notes: [],
          topics: [
            {
              topic: 'orders',
              partitionsSampled: 1,
              batches: 1,
              records: 2,
              codecs: { none: 1 },
              maxBatchBytes: 1,
              p99BatchBytes: 1,
              maxRecordBytes: 1,
              p99RecordBytes: 1,
              idempotentBatches: 0,
              transactionalBatches: 0,
              wireFormats: {
                confluent: 0,
                glue: 2,
                other: 0,
                schemaIds: [second.SchemaVersionId!, 'ffffffff-1111-4222-8333-444444444444'],
              },
            },
          ],
        },
        groupTypes: { status: 'COLLECTED', groups: [] },
        notVisible: [],
      },
    };
    // Only the lookups: the registry's description needs ListSchemas, which moto lacks.
    const lookupsOnly = {
      findSchemaVersion: (region: string, id: string) => reads.findSchemaVersion(region, id),
      describeRegistry: () => Promise.reject(new Error('ListSchemas is not served by moto')),
    };
    const regs = await readSchemaRegistries({ glue: lookupsOnly, region: EMULATOR_REGION }, undefined, inv);
    expect(regs?.glueVersions.map((v) => [v.result, v.schemaArn, v.versionNumber])).toEqual([
      ['FOUND', schema.SchemaArn, 2],
      ['NOT_FOUND', undefined, undefined],
    ]);
  });
});
