import { planRollback, type RollbackState } from '../../lambdas/core/cutover/rollback-plan';

const now = new Date('2026-11-20T12:00:00.000Z');
const options = { now, rollbackWindowMinutes: 60 };
const replication = {
  created: true,
  handle: { engine: 'MIRROR_MAKER_2', name: 'mskmig-orders-abc', id: 'mm2-1' },
  alarmNames: ['msk-migration-orders-lag'],
  canaryTopic: 'msk-migration.canary.orders',
};
const fence = {
  fencedAt: '2026-11-20T11:30:00.000Z',
  mode: 'SHARED_POINTER' as const,
  producers: { pointer: 'ssm:/orders/bootstrap' },
};
const actionsOf = (state: RollbackState) => planRollback(state, options).actions.map((a) => [a.action, a.state]);

describe('planRollback', () => {
  it('plans nothing when the execution created and changed nothing', () => {
    expect(planRollback({}, options)).toEqual({ phaseReached: 'NOTHING_CREATED', actions: [], kept: [] });
  });

  it('deletes a target cluster this execution created, when the failure came before replication', () => {
    const plan = planRollback(
      { target: { created: true, clusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/t/x' } },
      options,
    );

    expect(plan.phaseReached).toBe('TARGET_CREATED');
    expect(plan.actions).toEqual([
      expect.objectContaining({
        action: 'DELETE_TARGET_CLUSTER',
        state: 'RollbackTarget',
        subject: 'arn:aws:kafka:eu-west-1:1:cluster/t/x',
      }),
    ]);
  });

  it('keeps a target cluster that existed before this execution', () => {
    expect(actionsOf({ target: { created: false, clusterArn: 'arn:x' }, replication })).not.toContainEqual([
      'DELETE_TARGET_CLUSTER',
      'RollbackTarget',
    ]);
  });

  it('stops the replicator, deletes its alarms and the canary topic, then the target, when replication had started', () => {
    expect(actionsOf({ target: { created: true, clusterName: 't' }, replication })).toEqual([
      ['STOP_REPLICATOR', 'RollbackReplication'],
      ['DELETE_ALARMS', 'RollbackReplication'],
      ['DELETE_CANARY_TOPIC', 'RollbackReplication'],
      ['DELETE_TARGET_CLUSTER', 'RollbackTarget'],
    ]);
  });

  it('leaves a replicator this execution did not create, and says so', () => {
    const plan = planRollback({ replication: { ...replication, created: false, alarmNames: [] } }, options);

    expect(plan.actions.map((a) => a.action)).toEqual(['DELETE_CANARY_TOPIC']);
    expect(plan.kept).toEqual([{ subject: 'mskmig-orders-abc', reason: expect.stringContaining('existed before') }]);
  });

  it('lifts the fence first when the cutover failed before the switch', () => {
    const plan = planRollback({ replication, cutover: { fence } }, options);

    expect(plan.phaseReached).toBe('FENCED');
    expect(plan.actions[0]).toMatchObject({
      action: 'REVERT_PRODUCERS_POINTER',
      state: 'RollbackCutover',
      subject: 'ssm:/orders/bootstrap',
    });
    expect(plan.actions.map((a) => a.action)).not.toContain('REPORT_TARGET_WRITES');
  });

  it("reverts the consumers' own pointer only once the offset commit had fenced it", () => {
    const separate = {
      ...fence,
      mode: 'SEPARATE_POINTERS' as const,
      consumers: { pointer: 'ssm:/orders/consumer-bootstrap' },
    };

    expect(actionsOf({ cutover: { fence: separate } }).map(([a]) => a)).toEqual(['REVERT_PRODUCERS_POINTER']);
    expect(
      actionsOf({ cutover: { fence: separate, offsets: { complete: false, consumersFencedAt: fence.fencedAt } } }).map(
        ([a]) => a,
      ),
    ).toEqual(['REVERT_PRODUCERS_POINTER', 'REVERT_CONSUMERS_POINTER']);
  });

  it('within the window after the switch: reverts, reports the target writes, and keeps the target cluster it created for reconciliation', () => {
    const plan = planRollback(
      {
        target: { created: true, clusterName: 't' },
        replication,
        cutover: { fence, offsets: { complete: true }, switch: { switchedAt: '2026-11-20T11:31:00.000Z' } },
      },
      options,
    );

    expect(plan.phaseReached).toBe('SWITCHED');
    expect(plan.actions.map((a) => a.action)).toEqual([
      'REVERT_PRODUCERS_POINTER',
      'REPORT_TARGET_WRITES',
      'STOP_REPLICATOR',
      'DELETE_ALARMS',
      'DELETE_CANARY_TOPIC',
    ]);
    expect(plan.kept).toEqual([
      { subject: 't', reason: expect.stringContaining('holds the writes made since the switch') },
    ]);
  });

  it('past the point of no return only asks a person for the failback decision', () => {
    const plan = planRollback(
      {
        target: { created: true },
        replication,
        cutover: { fence, switch: { switchedAt: '2026-11-20T10:59:59.000Z' } },
      },
      options,
    );

    expect(plan.phaseReached).toBe('PAST_POINT_OF_NO_RETURN');
    expect(plan.actions).toEqual([
      expect.objectContaining({
        action: 'REQUEST_FAILBACK_DECISION',
        state: 'PointOfNoReturnApproval',
        reason: expect.stringContaining('closed at 2026-11-20T11:59:59.000Z'),
      }),
    ]);
  });
});
