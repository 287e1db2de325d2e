import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVIDENCE_KEYS } from '../../cli/commands/status';
import { ASL_TYPE_OF_KIND, DECISION_EFFECT, STATE_GUIDE, type ApprovalKind } from '../../cli/commands/workflow-states';

/**
 * The CLI's table of workflow states against the real ASL: a state added, renamed or retyped in
 * statemachine/migration.asl.json fails here until `msk-migrate status` knows it.
 */

interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly ResultPath?: string;
  readonly Parameters?: { readonly Payload?: { readonly kind?: string } };
  readonly Catch?: ReadonlyArray<{
    readonly ErrorEquals: string[];
    readonly Next: string;
    readonly ResultPath?: string;
  }>;
  readonly Choices?: ReadonlyArray<{ readonly Next: string }>;
  readonly Default?: string;
}
const asl = JSON.parse(fs.readFileSync(path.join(__dirname, '../../statemachine/migration.asl.json'), 'utf8')) as {
  StartAt: string;
  States: Record<string, AslState>;
};
const states = Object.entries(asl.States);
const isApproval = (s: AslState): boolean => s.Resource?.endsWith('.waitForTaskToken') ?? false;

describe('the CLI table of workflow states', () => {
  it('knows every state of the ASL', () => {
    const unknown = states.map(([name]) => name).filter((name) => !(name in STATE_GUIDE));
    expect(unknown).toEqual([]);
  });

  it('lists no state the ASL does not have', () => {
    const stale = Object.keys(STATE_GUIDE).filter((name) => !(name in asl.States));
    expect(stale).toEqual([]);
  });

  it('gives each state the kind its ASL type is (approvals are the .waitForTaskToken tasks)', () => {
    const mismatched = states
      .filter(([name, s]) => {
        const guide = STATE_GUIDE[name];
        if (!guide) return true;
        return !ASL_TYPE_OF_KIND[guide.kind].includes(s.Type) || (guide.kind === 'APPROVAL') !== isApproval(s);
      })
      .map(
        ([name, s]) =>
          `${name}: ASL ${s.Type}${isApproval(s) ? ' (callback)' : ''}, table ${STATE_GUIDE[name]?.kind ?? 'missing'}`,
      );
    expect(mismatched).toEqual([]);
  });

  it('gives each approval state the kind its RequestApproval payload carries', () => {
    const approvals = states.filter(([, s]) => isApproval(s)).map(([name, s]) => [name, s.Parameters?.Payload?.kind]);
    expect(approvals.map(([name]) => [name, STATE_GUIDE[name as string]?.approval])).toEqual(approvals);
  });

  it('puts every state of a Wait loop in the same poll loop as its Wait state', () => {
    const inconsistent: string[] = [];
    for (const [name, s] of states) {
      if (s.Type !== 'Wait') continue;
      const loop = STATE_GUIDE[name]?.loop;
      if (!loop) inconsistent.push(`${name} has no loop`);
      const polled = s.Next ? asl.States[s.Next] : undefined;
      if (s.Next && STATE_GUIDE[s.Next]?.loop !== loop)
        inconsistent.push(`${s.Next} (after ${name}) is not in loop ${loop}`);
      // The Choice after the polled task decides whether to loop again.
      const decider = polled?.Next;
      if (decider && asl.States[decider]?.Type === 'Choice' && STATE_GUIDE[decider]?.loop !== loop)
        inconsistent.push(`${decider} is not in loop ${loop}`);
    }
    expect(inconsistent).toEqual([]);
  });

  it('says what approving and rejecting lead to as the ASL routes them (Next on approve, Catch on reject or timeout)', () => {
    for (const [kind, effect] of Object.entries(DECISION_EFFECT) as Array<
      [ApprovalKind, (typeof DECISION_EFFECT)[ApprovalKind]]
    >) {
      const state = asl.States[effect.state];
      // A rejection or a timeout is caught by the States.ALL catcher (an operator's abort may have its own before it).
      const onReject = state?.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next;
      expect([effect.state, state?.Parameters?.Payload?.kind, state?.Next, onReject]).toEqual([
        effect.state,
        kind,
        effect.onApprove,
        effect.onReject,
      ]);
    }
  });

  it('summarises every ResultPath the ASL writes as evidence', () => {
    const paths = states.flatMap(([, s]) => [s.ResultPath, ...(s.Catch ?? []).map((c) => c.ResultPath)]);
    const roots = new Set(
      paths
        .filter((p): p is string => typeof p === 'string' && p !== '$')
        .map((p) => p.replace(/^\$\./, '').split('.')[0]),
    );
    const missing = [...roots].filter((root) => !(EVIDENCE_KEYS as readonly string[]).includes(root ?? ''));
    expect(missing).toEqual([]);
  });

  it('marks every terminal state with the outcome the report uses', () => {
    const terminals = states
      .filter(([, s]) => s.Type === 'Succeed' || s.Type === 'Fail')
      .map(([name]) => [name, STATE_GUIDE[name]?.outcome !== undefined]);
    expect(terminals.every(([, has]) => has)).toBe(true);
    expect(terminals).toHaveLength(8);
  });
});
