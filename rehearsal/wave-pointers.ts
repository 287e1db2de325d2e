import { LOCAL_SWITCHES } from '../lambdas/adapters/local/registry';
import type { MigrationPlan } from '../lambdas/core/plan/migration-plan';
import type { CutoverSwitch, PointerValue, SetPointerOptions } from '../lambdas/ports/cutover-switch';

/**
 * The pointer port of a rehearsal plan in waves: each wave's cutover reads the pointer its clients read
 * (`waves[].switch`, else `cutover.switch`), as the AWS handlers build it from the plan scoped to the wave. The local
 * runtime takes one pointer port, so this one follows the wave of the state being served (`$.waves.current.name` of
 * the task's event); every other call, and a plan without waves, uses the plan's own pointer.
 */
export interface WavePointers {
  readonly pointer: CutoverSwitch;
  /** Called with each task's event before it runs: the wave it names becomes the pointer's. */
  follow(event: unknown): void;
  /** The pointer of a plan scoped to a wave (the compensator's `pointerFor`). */
  pointerFor(plan: Pick<MigrationPlan, 'cutover'>): CutoverSwitch;
}

export function wavePointers(plan: MigrationPlan, planPointer: CutoverSwitch): WavePointers {
  const byWave = new Map<string, CutoverSwitch>();
  const ofSpec = (spec: MigrationPlan['cutover']['switch']): CutoverSwitch =>
    spec.type === 'LOCAL_FILE' && spec.path !== pathOf(plan.cutover.switch)
      ? LOCAL_SWITCHES.LOCAL_FILE(spec, {})
      : planPointer;
  for (const w of plan.waves ?? []) byWave.set(w.name, w.switch ? ofSpec(w.switch) : planPointer);
  let current = planPointer;
  const pointer: CutoverSwitch = {
    get pointer() {
      return current.pointer;
    },
    read: () => current.read(),
    set: (value: string, options?: SetPointerOptions) => current.set(value, options),
    revert: (previous: PointerValue | undefined) => current.revert(previous),
  };
  return {
    pointer,
    follow: (event) => {
      const wave = (event as { state?: { waves?: { current?: { name?: unknown } } } } | undefined)?.state?.waves
        ?.current?.name;
      current = (typeof wave === 'string' ? byWave.get(wave) : undefined) ?? planPointer;
    },
    pointerFor: (scoped) => ofSpec(scoped.cutover.switch),
  };
}

function pathOf(spec: MigrationPlan['cutover']['switch']): string | undefined {
  return spec.type === 'LOCAL_FILE' ? spec.path : undefined;
}
