import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { IamPolicyWriteFence } from '../../lambdas/adapters/aws/iam-write-fence';
import { iamFencePolicyDocument } from '../../lambdas/core/cutover/write-fence';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd1234-0123-abcd-5678-1234abcd-1';
const POLICY = 'msk-migration-write-fence';
const iam = mockClient(IAMClient);
const noSuchEntity = () => new NoSuchEntityException({ message: 'not found', $metadata: {} });

function fence(roleNames = ['orders-producer', 'payments-producer']) {
  return new IamPolicyWriteFence(new IAMClient({}), { clusterArn: CLUSTER, roleNames, policyName: POLICY });
}

describe('IamPolicyWriteFence (request shapes)', () => {
  beforeEach(() => iam.reset());

  it('reads each role for an inline policy of that name before the fence, recording none where IAM has none', async () => {
    // Prepare
    iam.on(GetRolePolicyCommand, { RoleName: 'orders-producer' }).rejects(noSuchEntity());
    iam
      .on(GetRolePolicyCommand, { RoleName: 'payments-producer' })
      .resolves({ PolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}') });
    // Act
    const plan = await fence().inspect(['orders', 'payments']);
    // Assess
    expect(iam).toHaveReceivedCommandWith(GetRolePolicyCommand, { RoleName: 'orders-producer', PolicyName: POLICY });
    expect(plan).toEqual({
      kind: 'IAM_POLICY',
      subject: `iam:orders-producer,payments-producer/${POLICY}`,
      policyName: POLICY,
      document: iamFencePolicyDocument(CLUSTER, ['orders', 'payments']),
      roles: [
        { roleName: 'orders-producer', previousDocument: null },
        { roleName: 'payments-producer', previousDocument: '{"Version":"2012-10-17","Statement":[]}' },
      ],
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('puts the deny as a named inline policy on every producer role', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(PutRolePolicyCommand).resolves({});
    const f = fence();
    const plan = await f.inspect(['orders']);

    await f.apply(plan);

    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 2);
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'payments-producer',
      PolicyName: POLICY,
      PolicyDocument: iamFencePolicyDocument(CLUSTER, ['orders']),
    });
  });

  it('deletes the policy it added and puts back one it replaced on undo', async () => {
    // Prepare: the fence holds on both roles; payments-producer had its own policy of that name before
    const previous = '{"Version":"2012-10-17","Statement":[]}';
    const document = iamFencePolicyDocument(CLUSTER, ['orders']);
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(document) });
    iam.on(DeleteRolePolicyCommand).resolves({});
    iam.on(PutRolePolicyCommand).resolves({});
    const plan = {
      kind: 'IAM_POLICY' as const,
      subject: 's',
      policyName: POLICY,
      document,
      roles: [
        { roleName: 'orders-producer', previousDocument: null },
        { roleName: 'payments-producer', previousDocument: previous },
      ],
    };
    // Act
    const undo = await fence().undo(plan);
    // Assess
    expect(iam).toHaveReceivedCommandWith(DeleteRolePolicyCommand, { RoleName: 'orders-producer', PolicyName: POLICY });
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'payments-producer',
      PolicyName: POLICY,
      PolicyDocument: previous,
    });
    expect(undo).toMatchObject({ removed: 2, leftAlone: 0 });
  });

  it('leaves a role alone whose policy someone changed after the fence, and one already undone', async () => {
    iam
      .on(GetRolePolicyCommand, { RoleName: 'orders-producer' })
      .resolves({ PolicyDocument: encodeURIComponent('{"changed":true}') });
    iam.on(GetRolePolicyCommand, { RoleName: 'payments-producer' }).rejects(noSuchEntity());
    const plan = {
      kind: 'IAM_POLICY' as const,
      subject: 's',
      policyName: POLICY,
      document: iamFencePolicyDocument(CLUSTER, ['orders']),
      roles: [
        { roleName: 'orders-producer', previousDocument: null },
        { roleName: 'payments-producer', previousDocument: null },
      ],
    };

    const undo = await fence().undo(plan);

    expect(iam).not.toHaveReceivedCommand(DeleteRolePolicyCommand);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(undo).toMatchObject({
      removed: 0,
      leftAlone: 2,
      notes: [expect.stringContaining('changed by someone else')],
    });
  });

  it('refuses a fence over the size IAM allows for a role, before changing anything', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    const many = Array.from({ length: 200 }, (_, i) => `topic-with-a-long-name-${i}`);

    await expect(fence().inspect(many)).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('smaller waves'),
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('turns a throttled PutRolePolicy into Migration.Transient', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(PutRolePolicyCommand).rejects(Object.assign(new Error('rate'), { name: 'Throttling' }));
    const f = fence(['orders-producer']);

    await expect(f.apply(await f.inspect(['orders']))).rejects.toMatchObject({ name: 'Migration.Transient' });
  });
});
