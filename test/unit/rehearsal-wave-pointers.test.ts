import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPointerFile, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { MigrationPlanSchema } from '../../lambdas/core/plan/migration-plan';
import { LOCAL_SWITCHES } from '../../lambdas/adapters/local/registry';
import { rehearsalPlan } from '../../rehearsal/plan';
import { SCENARIO_DEFINITIONS } from '../../rehearsal/scenarios';
import { wavePointers } from '../../rehearsal/wave-pointers';

/**
 * The rehearsal's pointer port for a plan in waves: each task's event names the wave being cut over, and the port
 * reads and moves that wave's pointer file; a wave without a switch of its own, and every state outside the cutover,
 * the plan's.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wave-pointers-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("moves the pointer of the wave named in the task's event, and the plan's for the others", async () => {
  // Prepare: the waves scenario's plan (audit: its own pointer file; shop: the plan's)
  const planFile = path.join(dir, 'pointer.json');
  const plan = MigrationPlanSchema.parse(
    rehearsalPlan({
      scenario: SCENARIO_DEFINITIONS['waves'],
      source: { bootstrap: '127.0.0.1:9001' },
      target: { bootstrap: '127.0.0.1:9002' },
      pointerFile: planFile,
      rollbackWindowMinutes: 0,
    }),
  );
  const auditFile = path.join(dir, 'audit-pointer.json');
  writePointerFile(planFile, '127.0.0.1:9001');
  writePointerFile(auditFile, '127.0.0.1:9001');
  const pointers = wavePointers(plan, LOCAL_SWITCHES.LOCAL_FILE({ type: 'LOCAL_FILE', path: planFile }, {}));
  const eventIn = (wave: string) => ({ state: { waves: { current: { name: wave } } } });
  // Act
  pointers.follow(eventIn('audit'));
  await pointers.pointer.set('127.0.0.1:9002');
  // Assess: only the audit pointer moved
  expect(readPointerFile(auditFile)?.value).toBe('127.0.0.1:9002');
  expect(readPointerFile(planFile)?.value).toBe('127.0.0.1:9001');
  // Act: the shop wave, then a state without waves in its event
  pointers.follow(eventIn('shop'));
  await pointers.pointer.set('127.0.0.1:9002');
  pointers.follow({ state: {} });
  // Assess
  expect(readPointerFile(planFile)?.value).toBe('127.0.0.1:9002');
  expect(pointers.pointer.pointer).toBe(LOCAL_SWITCHES.LOCAL_FILE({ type: 'LOCAL_FILE', path: planFile }, {}).pointer);
});
