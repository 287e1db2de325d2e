import { World, type Raw } from './world';

/**
 * The audit team's read-only pipeline, shared by the consumers-first workflow tests: its consumers of `payments`
 * (group payments-audit) read the cluster named by a pointer only they read, and move in a consumers-first wave.
 */

export const AUDIT_POINTER = '/payments-audit/kafka/bootstrap-servers';

/** The consumers-first wave of the audit consumers; `change` adds to it (`producersStay`). */
export function auditWave(change: Raw = {}): Raw {
  return {
    name: 'audit',
    team: 'Audit (read-only pipeline)',
    consumersFirst: true,
    topics: ['payments'],
    consumerGroups: ['payments-audit'],
    switch: { type: 'SSM_PARAMETER', parameterName: AUDIT_POINTER },
    ...change,
  };
}

/** A world of `plan` where payments-audit has read part of payments on the source. */
export function auditWorld(plan: Raw, scenario: ConstructorParameters<typeof World>[0] = {}): World {
  const world = new World({ plan, ...scenario });
  world.source
    .commit('payments-audit', 'payments', 0, 12)
    .commit('payments-audit', 'payments', 1, 20)
    .commit('payments-audit', 'payments', 2, 7);
  return world;
}
