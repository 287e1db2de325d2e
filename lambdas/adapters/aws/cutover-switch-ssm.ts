import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CutoverFailedError, RollbackFailedError, TransientError, type MigrationError } from '../../core/errors';
import {
  decideSet,
  setAtRevision,
  writesAtRevision,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../ports/cutover-switch';
import { toMigrationError } from './msk-provisioner';

/** SSM answers concurrent writes to one parameter with TooManyUpdates: worth a retry. */
const SSM_TRANSIENT = new Set(['TooManyUpdates', 'ThrottlingException']);

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

function ssmError(err: unknown, what: string, fatal: Fatal): MigrationError {
  const name = (err as { name?: string }).name ?? '';
  if (SSM_TRANSIENT.has(name))
    return new TransientError(`${what} failed: ${name}: ${(err as Error).message}`, { awsError: name });
  return toMigrationError(err, what, fatal);
}

function isNotFound(err: unknown): boolean {
  return (err as { name?: string }).name === 'ParameterNotFound';
}

/**
 * The pointer is an SSM parameter (String) that clients read at start-up, e.g. the bootstrap servers. Each write makes
 * a new parameter version, so the parameter's history is itself a record of the cutover and of its rollback.
 * SSM has no compare-and-set: the check before a write narrows, not closes, the window for a concurrent writer;
 * the execution is the single writer by design. Where the caller knows the version its own last write made (the
 * switch, from the fence's), `set` writes at once and checks the version PutParameter answers is the next one: one
 * request, and a conflict any write in between makes is found, where the read before a write misses one between the
 * two (setAtRevision; a retry reads first).
 */
export class SsmCutoverSwitch implements CutoverSwitch {
  readonly pointer: string;

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
  ) {
    this.pointer = `ssm:${parameterName}`;
  }

  read(): Promise<PointerValue | undefined> {
    return this.readOr(CutoverFailedError);
  }

  private async readOr(fatal: Fatal): Promise<PointerValue | undefined> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      const p = out.Parameter;
      if (p?.Value === undefined) return undefined;
      return { value: p.Value, ...(p.Version !== undefined ? { revision: String(p.Version) } : {}) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw ssmError(err, `GetParameter ${this.parameterName}`, fatal);
    }
  }

  private async write(value: string, exists: boolean, fatal: Fatal): Promise<PointerValue> {
    try {
      // A new parameter is created without Overwrite: if another writer created it meanwhile, SSM refuses.
      const out = await this.client.send(
        new PutParameterCommand({
          Name: this.parameterName,
          Value: value,
          ...(exists ? { Overwrite: true } : { Type: 'String', Overwrite: false }),
        }),
      );
      return { value, ...(out.Version !== undefined ? { revision: String(out.Version) } : {}) };
    } catch (err) {
      throw ssmError(err, `PutParameter ${this.parameterName}`, fatal);
    }
  }

  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    // The parameter exists (it holds this execution's last write): Overwrite, no Type.
    if (writesAtRevision(options))
      return setAtRevision(this, (v) => this.write(v, true, CutoverFailedError), value, options);
    const current = await this.read();
    const decision = decideSet(this.pointer, current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason, { pointer: this.pointer });
    if (decision.action === 'none')
      return { previous: decision.previous, current: current ?? { value }, changed: false };
    return {
      previous: current,
      current: await this.write(value, current !== undefined, CutoverFailedError),
      changed: true,
    };
  }

  async revert(previous: PointerValue | undefined): Promise<{ changed: boolean }> {
    const current = await this.readOr(RollbackFailedError);
    if (previous === undefined) {
      if (current === undefined) return { changed: false };
      try {
        await this.client.send(new DeleteParameterCommand({ Name: this.parameterName }));
      } catch (err) {
        if (isNotFound(err)) return { changed: false };
        throw ssmError(err, `DeleteParameter ${this.parameterName}`, RollbackFailedError);
      }
      return { changed: true };
    }
    if (current?.value === previous.value) return { changed: false };
    await this.write(previous.value, current !== undefined, RollbackFailedError);
    return { changed: true };
  }
}
