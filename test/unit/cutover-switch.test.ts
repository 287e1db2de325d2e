import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ROUTE53_FENCE_SINK, Route53CutoverSwitch } from '../../lambdas/adapters/aws/cutover-switch-route53';
import { SsmCutoverSwitch } from '../../lambdas/adapters/aws/cutover-switch-ssm';
import { decideSet } from '../../lambdas/ports/cutover-switch';

// The decision every switch shares, and the error mapping; behaviour against the real APIs is in
// test/aws-api/cutover-switch.test.ts.

describe('decideSet', () => {
  it('writes when the pointer holds what was read before the cutover', () => {
    expect(decideSet('p', { value: 'source' }, 'target', 'source')).toEqual({ action: 'write' });
  });

  it('writes when no expectation is given, whatever the pointer holds', () => {
    expect(decideSet('p', { value: 'anything' }, 'target', undefined)).toEqual({ action: 'write' });
  });

  it('writes nothing when the pointer already holds the target, reporting the recorded previous value', () => {
    expect(decideSet('p', { value: 'target', revision: '2' }, 'target', 'source')).toEqual({
      action: 'none',
      previous: { value: 'source' },
    });
  });

  it('reports the pointer as never having existed when a retry finds the target and nothing was there before', () => {
    expect(decideSet('p', { value: 'target' }, 'target', null)).toEqual({ action: 'none', previous: undefined });
  });

  it('refuses when the pointer holds neither the recorded value nor the target', () => {
    const decision = decideSet('ssm:/x', { value: 'other' }, 'target', 'source');

    expect(decision).toMatchObject({ action: 'refuse', reason: expect.stringContaining('ssm:/x holds "other"') });
  });

  it('refuses when a pointer expected to be absent exists with another value', () => {
    expect(decideSet('p', { value: 'other' }, 'target', null)).toMatchObject({ action: 'refuse' });
  });

  it('refuses when a pointer expected to exist has disappeared', () => {
    expect(decideSet('p', undefined, 'target', 'source')).toMatchObject({
      action: 'refuse',
      reason: expect.stringContaining('p holds nothing'),
    });
  });
});

const ssm = mockClient(SSMClient);
const route53 = mockClient(Route53Client);
const meta = { $metadata: { httpStatusCode: 400 } };

describe('SsmCutoverSwitch (request shapes and errors)', () => {
  beforeEach(() => ssm.reset());

  it('creates a missing parameter as a String without Overwrite, so a concurrent creator makes it fail', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', ...meta }));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    await new SsmCutoverSwitch(new SSMClient({}), '/p').set('target');

    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/p',
      Value: 'target',
      Type: 'String',
      Overwrite: false,
    });
  });

  it('turns TooManyUpdates on the parameter into Migration.Transient', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'source', Version: 1 } });
    ssm
      .on(PutParameterCommand)
      .rejects(new SSMServiceException({ name: 'TooManyUpdates', $fault: 'client', message: 'slow down', ...meta }));

    await expect(new SsmCutoverSwitch(new SSMClient({}), '/p').set('target')).rejects.toMatchObject({
      name: 'Migration.Transient',
    });
  });

  it('reverts a parameter that did not exist before the cutover by deleting it, once', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: 'target', Version: 1 } });
    ssm.on(DeleteParameterCommand).resolves({});

    const pointer = new SsmCutoverSwitch(new SSMClient({}), '/p');
    expect(await pointer.revert(undefined)).toEqual({ changed: true });
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'gone', ...meta }));
    expect(await pointer.revert(undefined)).toEqual({ changed: false });

    expect(ssm).toHaveReceivedCommandTimes(DeleteParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: '/p' });
  });

  it('reports a revert that SSM refuses as Migration.RollbackFailed', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'target', Version: 2 } });
    ssm
      .on(PutParameterCommand)
      .rejects(
        new SSMServiceException({ name: 'ParameterLimitExceeded', $fault: 'client', message: 'too many', ...meta }),
      );

    await expect(new SsmCutoverSwitch(new SSMClient({}), '/p').revert({ value: 'source' })).rejects.toMatchObject({
      name: 'Migration.RollbackFailed',
    });
  });

  it('sets at the fence\u2019s version with one PutParameter (Overwrite, no Type) and no GetParameter', async () => {
    // Prepare: the fence made version 7; nobody writes after it
    ssm.on(PutParameterCommand).resolves({ Version: 8 });
    // Act
    const set = await new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', {
      expected: 'fenced:m/e',
      expectedRevision: '7',
    });
    // Assess
    expect(set).toEqual({
      previous: { value: 'fenced:m/e', revision: '7' },
      current: { value: 'target', revision: '8' },
      changed: true,
    });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 1);
    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/p',
      Value: 'target',
      Overwrite: true,
    });
  });

  it('fails the cutover naming the pointer and both versions when another writer wrote after the fence', async () => {
    // Prepare: the fence made version 7, another writer made 8, so this write makes 9
    ssm.on(PutParameterCommand).resolves({ Version: 9 });
    // Act
    const set = new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', {
      expected: 'fenced:m/e',
      expectedRevision: '7',
    });
    // Assess: refused after its write (SSM has no conditional put), with what a person needs to find the other write
    await expect(set).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringMatching(/^ssm:\/p: .* made revision 9, not 8: another writer wrote it after revision 7/),
      details: { pointer: 'ssm:/p', expectedRevision: '7', writtenRevision: '9' },
    });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 0);
  });

  it('reads first on a retry: the target at the next version is its own earlier write, and nothing is written', async () => {
    // Prepare: the first attempt made version 8 and failed before its journal's DONE
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'target', Version: 8 } });
    // Act
    const set = await new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', {
      expected: 'fenced:m/e',
      expectedRevision: '7',
      retry: true,
    });
    // Assess: no PutParameter (one would make version 9, which the check would take for another writer)
    expect(set).toEqual({
      previous: { value: 'fenced:m/e', revision: '7' },
      current: { value: 'target', revision: '8' },
      changed: false,
    });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  it('on a retry that finds the fence\u2019s version writes and checks; another version is refused unwritten', async () => {
    const retry = { expected: 'fenced:m/e', expectedRevision: '7', retry: true } as const;
    // the first attempt failed before it wrote: the fence is still at version 7
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'fenced:m/e', Version: 7 } });
    ssm.on(PutParameterCommand).resolves({ Version: 8 });
    await expect(new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', retry)).resolves.toMatchObject({
      current: { value: 'target', revision: '8' },
      changed: true,
    });
    // the fence's value written again by someone else (version 8): the value alone would not tell
    ssm.reset();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'fenced:m/e', Version: 8 } });
    await expect(new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', retry)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      details: { pointer: 'ssm:/p', expectedRevision: '7', foundRevision: '8' },
    });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  it('without an expected version reads, decides on the value, then writes (older records, the rollback)', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'fenced:m/e', Version: 7 } });
    ssm.on(PutParameterCommand).resolves({ Version: 9 });

    const set = await new SsmCutoverSwitch(new SSMClient({}), '/p').set('target', { expected: 'fenced:m/e' });

    expect(set).toMatchObject({ current: { value: 'target', revision: '9' }, changed: true });
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: '/p', Value: 'target', Overwrite: true });
  });

  it('reports refused credentials as Migration.AuthFailed', async () => {
    ssm
      .on(GetParameterCommand)
      .rejects(new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'no', ...meta }));

    await expect(new SsmCutoverSwitch(new SSMClient({}), '/p').read()).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
    });
  });
});

describe('Route53CutoverSwitch (request shapes and errors)', () => {
  beforeEach(() => route53.reset());

  it('UPSERTs the weighted record with its set identifier, weight and TTL', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false });
    route53
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    const sw = new Route53CutoverSwitch(new Route53Client({}), {
      hostedZoneId: '/hostedzone/Z1',
      recordName: 'Kafka.Example.com',
      ttlSeconds: 20,
      weighted: { setIdentifier: 'target', weight: 100 },
    });

    const result = await sw.set('t.example.com');

    expect(result.changeId).toBe('/change/C1');
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: 'Z1',
      ChangeBatch: expect.objectContaining({
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'kafka.example.com.',
              Type: 'CNAME',
              TTL: 20,
              ResourceRecords: [{ Value: 't.example.com' }],
              SetIdentifier: 'target',
              Weight: 100,
            },
          },
        ],
      }),
    });
  });

  it('writes a fence as a host name under the reserved .invalid domain, never as "fenced:…", and reads it back as the fence', async () => {
    // Prepare: the record names the source
    const record = (value: string) => ({
      Name: 'kafka.example.com.',
      Type: 'CNAME' as const,
      TTL: 60,
      ResourceRecords: [{ Value: value }],
    });
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [record('source.example.com')] });
    route53.on(ChangeResourceRecordSetsCommand).resolves({});
    const sw = new Route53CutoverSwitch(new Route53Client({}), { hostedZoneId: 'Z1', recordName: 'kafka.example.com' });
    const fence = 'fenced:orders-to-serverless/Exec_2026-11-20T10:00:00Z/failback';
    // Act
    await sw.set(fence, { expected: 'source.example.com' });
    // Assess: a valid DNS name under the sink, which decodes back to the fence value
    const written = route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch?.Changes?.[0]
      ?.ResourceRecordSet?.ResourceRecords?.[0]?.Value as string;
    expect(written).not.toContain('fenced:');
    expect(written.endsWith(`.${ROUTE53_FENCE_SINK}`)).toBe(true);
    expect(written).toMatch(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+$/);
    expect(written.length).toBeLessThanOrEqual(253);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [record(written.toUpperCase())] });
    expect(await sw.read()).toEqual({ value: fence });
  });

  it('follows the pages of a name with many weighted records to find its own', async () => {
    const rec = (id: string, value: string) => ({
      Name: 'k.example.com.',
      Type: 'CNAME' as const,
      SetIdentifier: id,
      Weight: 1,
      TTL: 60,
      ResourceRecords: [{ Value: value }],
    });
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [rec('a', 'a.example.com')],
        IsTruncated: true,
        NextRecordName: 'k.example.com.',
        NextRecordType: 'CNAME',
        NextRecordIdentifier: 'z',
      })
      .resolves({ ResourceRecordSets: [rec('z', 'z.example.com')], IsTruncated: false });

    const value = await new Route53CutoverSwitch(new Route53Client({}), {
      hostedZoneId: 'Z1',
      recordName: 'k.example.com',
      weighted: { setIdentifier: 'z', weight: 1 },
    }).read();

    expect(value).toEqual({ value: 'z.example.com' });
    expect(route53).toHaveReceivedNthCommandWith(2, ListResourceRecordSetsCommand, {
      HostedZoneId: 'Z1',
      StartRecordName: 'k.example.com.',
      StartRecordType: 'CNAME',
      StartRecordIdentifier: 'z',
      MaxItems: 100,
    });
  });

  it('turns PriorRequestNotComplete into Migration.Transient', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false });
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(
        new Route53ServiceException({ name: 'PriorRequestNotComplete', $fault: 'client', message: 'busy', ...meta }),
      );

    await expect(
      new Route53CutoverSwitch(new Route53Client({}), { hostedZoneId: 'Z1', recordName: 'k.example.com' }).set('t'),
    ).rejects.toMatchObject({ name: 'Migration.Transient' });
  });
});
