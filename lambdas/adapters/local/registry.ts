import type { FenceRegistry, SwitchRegistry } from '../../core/plan/runtimes';
import type { CutoverSwitch } from '../../ports/cutover-switch';
import type { WriteFence } from '../../ports/write-fence';
import { FileCutoverSwitch } from './file-cutover-switch';

/**
 * The local rehearsal's registry of cutover switches and write fences (lambdas/core/plan/runtimes.ts declares its
 * kinds; the AWS runtime's are in lambdas/tasks/shared/cutover-switch.ts and write-fence.ts). Nothing deployed
 * imports this module.
 */

export interface LocalSwitchDeps {
  /** The file pointer's clock. @default () => new Date() */
  readonly now?: () => Date;
}

export const LOCAL_SWITCHES: SwitchRegistry<'LOCAL', LocalSwitchDeps, CutoverSwitch> = {
  LOCAL_FILE: (spec, { now }) => new FileCutoverSwitch(spec.path, now),
};

/** The rehearsal holds producers with the pointer alone (its in-process runtime wires no write fence). */
export const LOCAL_FENCES: FenceRegistry<'LOCAL', never, WriteFence> = {};
