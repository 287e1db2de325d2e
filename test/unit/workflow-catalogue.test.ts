import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TASKS, TASK_NAMES, taskEntry } from '../../lib/migration-orchestrator';
import {
  catalogueMismatches,
  evidenceKeys,
  FUNCTION_NAMES,
  FUNCTIONS,
  OTHER_STATE_KEYS,
  STATE_NAMES,
  STATES,
  type AslDefinitionLike,
} from '../../lambdas/workflow/catalogue';

const ROOT = path.join(__dirname, '../..');
const aslText = readFileSync(path.join(ROOT, 'statemachine/migration.asl.json'), 'utf8');
const asl = (): AslDefinitionLike & { States: Record<string, Record<string, unknown> & { Type: string }> } =>
  JSON.parse(aslText) as never;

describe('the workflow catalogue', () => {
  it('names every Task state of the ASL and nothing else, with the same function, ResultPath and state name', () => {
    // Act
    const problems = catalogueMismatches(asl());
    // Assess
    expect(problems).toEqual([]);
    const aslTasks = Object.entries(asl().States).filter(([, s]) => s.Type === 'Task');
    expect(aslTasks).toHaveLength(42);
    expect(STATE_NAMES).toHaveLength(42);
  });

  it('finds a Task state missing on either side, another function or another ResultPath', () => {
    // Prepare
    const added = asl();
    added.States['AuditTrail'] = { ...added.States['Assess']!, Type: 'Task' };
    const removed = asl();
    delete removed.States['ReleaseFailbackFence'];
    const rewired = asl();
    rewired.States['FailbackCutover'] = {
      ...rewired.States['FailbackCutover']!,
      Resource: '${SwitchToTargetFunctionArn}',
      ResultPath: '$.failbackSwitch',
    };
    const unnamed = asl();
    const parameters = { ...(unnamed.States['CheckDrain']!['Parameters'] as Record<string, unknown>) };
    delete parameters['stateName.$'];
    unnamed.States['CheckDrain'] = { ...unnamed.States['CheckDrain']!, Parameters: parameters };
    // Act / Assess
    expect(catalogueMismatches(added)).toEqual([
      expect.stringContaining('Task state AuditTrail is not in the catalogue'),
    ]);
    expect(catalogueMismatches(removed)).toEqual([
      expect.stringContaining('state ReleaseFailbackFence is not a Task state of the ASL'),
    ]);
    expect(catalogueMismatches(rewired)).toEqual([
      'FailbackCutover invokes SwitchToTarget in the ASL, RollbackCutover in the catalogue',
      'FailbackCutover has ResultPath $.failbackSwitch in the ASL, $.failbackCutover in the catalogue',
    ]);
    expect(catalogueMismatches(unnamed)).toEqual([expect.stringContaining('CheckDrain does not pass "stateName.$"')]);
  });

  it("places each function's task module and handler where the catalogue says", () => {
    for (const fn of FUNCTION_NAMES) {
      expect([fn, existsSync(path.join(ROOT, FUNCTIONS[fn].module, 'task.ts'))]).toEqual([fn, true]);
      expect([fn, existsSync(path.join(ROOT, FUNCTIONS[fn].module, 'handler.ts'))]).toEqual([fn, true]);
    }
  });

  it("is where the construct's functions come from: one per catalogue function, with its settings and permissions", () => {
    expect([...TASK_NAMES].sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const fn of FUNCTION_NAMES) {
      expect(TASKS[fn].may).toEqual(FUNCTIONS[fn].may);
      expect(TASKS[fn].timeout.toSeconds()).toBe(FUNCTIONS[fn].timeoutSeconds);
      expect(TASKS[fn].memorySize).toBe(FUNCTIONS[fn].memoryMb);
      expect(taskEntry(fn)).toBe(`${FUNCTIONS[fn].module}/handler.ts`);
    }
  });

  it('lists as evidence every key a ResultPath of the ASL writes, the Pass state and the Catches included', () => {
    // Prepare
    const written = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (typeof value === 'object' && value !== null)
        for (const [k, v] of Object.entries(value)) {
          if (k === 'ResultPath' && typeof v === 'string' && v !== '$') written.add(v.split('.')[1]!);
          else visit(v);
        }
    };
    visit(asl().States);
    // A Pass state without ResultPath replaces the state with its Parameters (NextWave): the keys it writes beyond the
    // plan's own (input, identity, execution, settings, which ValidateInput writes and are not evidence).
    for (const state of Object.values(asl().States) as Array<Record<string, unknown>>)
      if (state['Type'] === 'Pass' && state['ResultPath'] === undefined)
        for (const k of Object.keys((state['Parameters'] ?? {}) as object).map((p) => p.replace(/\.\$$/, '')))
          if (!['input', 'identity', 'execution', 'settings'].includes(k)) written.add(k);
    // Act
    const keys = evidenceKeys();
    // Assess
    expect([...written].sort()).toEqual([...keys].sort());
    for (const key of Object.keys(OTHER_STATE_KEYS)) expect(keys).toContain(key);
    expect(keys.at(-1)).toBe('report');
  });

  it('says which function a state that carries another name runs, and its phase', () => {
    expect(STATES.FailbackCutover).toMatchObject({ function: 'RollbackCutover', phase: 'Failback' });
    expect(STATES.ReleaseFailbackFence).toMatchObject({ function: 'FenceProducers', phase: 'Failback' });
  });
});
