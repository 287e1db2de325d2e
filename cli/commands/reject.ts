import type { Command } from 'commander';
import { decisionCommand } from './approve';
import type { OperatorDeps } from './operator-context';

/** `msk-migrate reject ID [--reason TEXT]`: the rejection counterpart of `approve` (same claim, audit and identity). */
export function registerReject(program: Command, deps: OperatorDeps): Command {
  return decisionCommand(program, deps, 'REJECT');
}
