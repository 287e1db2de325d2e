import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Route53CutoverSwitch } from '../../lambdas/adapters/aws/cutover-switch-route53';
import { SsmCutoverSwitch } from '../../lambdas/adapters/aws/cutover-switch-ssm';
import { countRequests, emulatorClientConfig } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

const SOURCE = 'b-1.source.kafka.us-east-1.amazonaws.com:9098,b-2.source.kafka.us-east-1.amazonaws.com:9098';
const TARGET = 'boot-abc.c2.kafka-serverless.us-east-1.amazonaws.com:9098';

describe('cutover switches against the SSM and Route 53 APIs (moto server)', () => {
  let server: MotoServer;

  beforeAll(async () => {
    server = await startMotoServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe('SsmCutoverSwitch', () => {
    let ssm: SSMClient;
    let n = 0;
    const freshName = () => `/msk-migration/orders/bootstrap-${++n}`;

    beforeAll(() => {
      ssm = new SSMClient(emulatorClientConfig(server));
    });

    afterAll(() => ssm?.destroy());

    it('reads nothing for a parameter that does not exist (ParameterNotFound)', async () => {
      await expect(new SsmCutoverSwitch(ssm, freshName()).read()).resolves.toBeUndefined();
    });

    it('moves the parameter to the target as a new version and reports the previous value and version', async () => {
      // Prepare
      const name = freshName();
      await ssm.send(new PutParameterCommand({ Name: name, Value: SOURCE, Type: 'String' }));
      const sw = new SsmCutoverSwitch(ssm, name);

      // Act
      const result = await sw.set(TARGET, { expected: SOURCE });

      // Assess
      expect(result).toEqual({
        previous: { value: SOURCE, revision: '1' },
        current: { value: TARGET, revision: '2' },
        changed: true,
      });
      await expect(sw.read()).resolves.toEqual({ value: TARGET, revision: '2' });
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: name }));
      expect(history.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
        [1, SOURCE],
        [2, TARGET],
      ]);
    });

    it('writes nothing when a retried set finds the target already there, and still reports the recorded previous value', async () => {
      const name = freshName();
      await ssm.send(new PutParameterCommand({ Name: name, Value: SOURCE, Type: 'String' }));
      const sw = new SsmCutoverSwitch(ssm, name);
      await sw.set(TARGET, { expected: SOURCE });

      const retry = await sw.set(TARGET, { expected: SOURCE });

      expect(retry).toMatchObject({
        previous: { value: SOURCE },
        current: { value: TARGET, revision: '2' },
        changed: false,
      });
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: name }));
      expect(history.Parameters).toHaveLength(2);
    });

    it('refuses with Migration.CutoverFailed when another writer moved the parameter since it was read, and leaves it alone', async () => {
      const name = freshName();
      await ssm.send(new PutParameterCommand({ Name: name, Value: 'someone-else:9092', Type: 'String' }));
      const sw = new SsmCutoverSwitch(ssm, name);

      await expect(sw.set(TARGET, { expected: SOURCE })).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        message: expect.stringContaining('Another writer moved it'),
      });
      await expect(sw.read()).resolves.toMatchObject({ value: 'someone-else:9092', revision: '1' });
    });

    it('sets at the fence\u2019s version in one write, and fails naming both versions when someone wrote after the fence', async () => {
      // Prepare: the fence at version 1 → 2, as FenceProducers sets it
      const name = freshName();
      await ssm.send(new PutParameterCommand({ Name: name, Value: SOURCE, Type: 'String' }));
      const sw = new SsmCutoverSwitch(ssm, name);
      const fence = await sw.set('fenced:m/e', { expected: SOURCE, expectedRevision: '1' });
      // Act: the switch at the fence's version; then the same on a parameter another writer wrote after the fence
      const switched = await sw.set(TARGET, { expected: 'fenced:m/e', expectedRevision: fence.current.revision ?? '' });
      const other = freshName();
      await ssm.send(new PutParameterCommand({ Name: other, Value: 'fenced:m/e', Type: 'String' }));
      await ssm.send(new PutParameterCommand({ Name: other, Value: 'someone-else:9092', Overwrite: true }));
      const conflict = new SsmCutoverSwitch(ssm, other).set(TARGET, { expected: 'fenced:m/e', expectedRevision: '1' });
      // Assess: versions as SSM numbers them, one per write
      expect(fence.current).toEqual({ value: 'fenced:m/e', revision: '2' });
      expect(switched).toMatchObject({ current: { value: TARGET, revision: '3' }, changed: true });
      await expect(conflict).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        details: { pointer: `ssm:${other}`, expectedRevision: '1', writtenRevision: '3' },
      });
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: other }));
      expect(history.Parameters?.map((p) => [p.Version, p.Value])).toEqual([
        [1, 'fenced:m/e'],
        [2, 'someone-else:9092'],
        [3, TARGET],
      ]);
    });

    it('reverts to the recorded previous value as a third version, and a second revert writes nothing', async () => {
      const name = freshName();
      await ssm.send(new PutParameterCommand({ Name: name, Value: SOURCE, Type: 'String' }));
      const sw = new SsmCutoverSwitch(ssm, name);
      const { previous } = await sw.set(TARGET, { expected: SOURCE });

      const first = await sw.revert(previous);
      const second = await sw.revert(previous);

      expect([first.changed, second.changed]).toEqual([true, false]);
      await expect(sw.read()).resolves.toEqual({ value: SOURCE, revision: '3' });
    });

    it('creates a parameter that did not exist, and reverting deletes it again', async () => {
      const name = freshName();
      const sw = new SsmCutoverSwitch(ssm, name);

      const result = await sw.set(TARGET, { expected: null });
      const readAfterSet = await sw.read();
      const reverted = await sw.revert(result.previous);

      expect(result).toMatchObject({ previous: undefined, changed: true });
      expect(readAfterSet).toEqual({ value: TARGET, revision: '1' });
      expect(reverted.changed).toBe(true);
      await expect(sw.read()).resolves.toBeUndefined();
      await expect(sw.revert(undefined)).resolves.toEqual({ changed: false });
    });
  });

  describe('Route53CutoverSwitch', () => {
    let route53: Route53Client;
    let zoneId: string;
    const recordName = 'kafka.internal.example.com';

    beforeAll(async () => {
      route53 = new Route53Client(emulatorClientConfig(server));
      const zone = await route53.send(
        new CreateHostedZoneCommand({ Name: 'internal.example.com', CallerReference: `ref-${Date.now()}` }),
      );
      zoneId = zone.HostedZone?.Id ?? '';
    });

    afterAll(() => route53?.destroy());

    async function cnames(name: string) {
      const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
      return (out.ResourceRecordSets ?? [])
        .filter((r) => r.Type === 'CNAME' && r.Name === `${name}.`)
        .map((r) => ({
          value: r.ResourceRecords?.[0]?.Value,
          ttl: r.TTL,
          ...(r.SetIdentifier ? { id: r.SetIdentifier, weight: r.Weight } : {}),
        }));
    }

    it('moves a CNAME from the source brokers to the target with an UPSERT, and the change can be polled', async () => {
      // Prepare
      const name = `simple.${recordName}`;
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: name,
                  Type: 'CNAME',
                  TTL: 300,
                  ResourceRecords: [{ Value: 'source.kafka.example.com' }],
                },
              },
            ],
          },
        }),
      );
      const sw = new Route53CutoverSwitch(route53, { hostedZoneId: zoneId, recordName: name, ttlSeconds: 30 });

      // Act
      const result = await sw.set('target.kafka.example.com', { expected: 'source.kafka.example.com' });

      // Assess
      expect(result).toMatchObject({
        previous: { value: 'source.kafka.example.com' },
        current: { value: 'target.kafka.example.com' },
        changed: true,
      });
      expect(await cnames(name)).toEqual([{ value: 'target.kafka.example.com', ttl: 30 }]);
      const change = await route53.send(new GetChangeCommand({ Id: result.changeId }));
      expect(['PENDING', 'INSYNC']).toContain(change.ChangeInfo?.Status);
    });

    it('writes nothing when the CNAME already points at the target', async () => {
      const name = `retry.${recordName}`;
      const sw = new Route53CutoverSwitch(route53, {
        hostedZoneId: `/hostedzone/${zoneId.replace(/^\/hostedzone\//, '')}`,
        recordName: name,
      });
      await sw.set('target.kafka.example.com', { expected: null });
      const client = new Route53Client(emulatorClientConfig(server));
      const requests = countRequests(client);

      const retry = await new Route53CutoverSwitch(client, { hostedZoneId: zoneId, recordName: name }).set(
        'target.kafka.example.com',
        { expected: null },
      );

      expect(retry).toMatchObject({ previous: undefined, changed: false });
      expect(requests.get('ChangeResourceRecordSetsCommand')).toBeUndefined();
      client.destroy();
    });

    it('switches one weighted record of a pair and leaves the other weighted record as it was', async () => {
      const name = `weighted.${recordName}`;
      const source = new Route53CutoverSwitch(route53, {
        hostedZoneId: zoneId,
        recordName: name,
        weighted: { setIdentifier: 'source', weight: 100 },
      });
      const target = new Route53CutoverSwitch(route53, {
        hostedZoneId: zoneId,
        recordName: name,
        weighted: { setIdentifier: 'target', weight: 0 },
      });
      await source.set('source.kafka.example.com', { expected: null });
      await target.set('standby.kafka.example.com', { expected: null });

      const result = await target.set('target.kafka.example.com', { expected: 'standby.kafka.example.com' });

      expect(result.changed).toBe(true);
      await expect(source.read()).resolves.toEqual({ value: 'source.kafka.example.com' });
      await expect(target.read()).resolves.toEqual({ value: 'target.kafka.example.com' });
      expect(await cnames(name)).toEqual(
        expect.arrayContaining([
          { value: 'source.kafka.example.com', ttl: 60, id: 'source', weight: 100 },
          { value: 'target.kafka.example.com', ttl: 60, id: 'target', weight: 0 },
        ]),
      );
    });

    it('refuses with Migration.CutoverFailed when the record no longer holds what was read before the cutover', async () => {
      const name = `moved.${recordName}`;
      const sw = new Route53CutoverSwitch(route53, { hostedZoneId: zoneId, recordName: name });
      await sw.set('elsewhere.example.com', { expected: null });

      await expect(sw.set('target.kafka.example.com', { expected: 'source.kafka.example.com' })).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
      });
      expect(await cnames(name)).toEqual([{ value: 'elsewhere.example.com', ttl: 60 }]);
    });

    it('reverts the CNAME to the recorded previous value, and a second revert writes nothing', async () => {
      const name = `revert.${recordName}`;
      const sw = new Route53CutoverSwitch(route53, { hostedZoneId: zoneId, recordName: name });
      await sw.set('source.kafka.example.com', { expected: null });
      const { previous } = await sw.set('target.kafka.example.com', { expected: 'source.kafka.example.com' });

      const first = await sw.revert(previous);
      const second = await sw.revert(previous);

      expect([first.changed, second.changed]).toEqual([true, false]);
      expect(await cnames(name)).toEqual([{ value: 'source.kafka.example.com', ttl: 60 }]);
    });

    it('deletes a CNAME the cutover created when reverting to nothing', async () => {
      const name = `created.${recordName}`;
      const sw = new Route53CutoverSwitch(route53, { hostedZoneId: zoneId, recordName: name, ttlSeconds: 15 });
      const { previous } = await sw.set('target.kafka.example.com', { expected: null });

      const reverted = await sw.revert(previous);

      expect(reverted.changed).toBe(true);
      expect(await cnames(name)).toEqual([]);
      await expect(sw.read()).resolves.toBeUndefined();
    });

    it('fails with Migration.CutoverFailed naming the pointer when the hosted zone does not exist', async () => {
      const sw = new Route53CutoverSwitch(route53, { hostedZoneId: 'ZNOSUCHZONE000', recordName });

      await expect(sw.set('target.kafka.example.com')).rejects.toMatchObject({
        name: 'Migration.CutoverFailed',
        message: expect.stringContaining('route53:ZNOSUCHZONE000/kafka.internal.example.com./CNAME'),
        details: { awsError: 'NoSuchHostedZone' },
      });
    });
  });
});
