import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { CutoverFailedError, RollbackFailedError, TransientError, type MigrationError } from '../../core/errors';
import {
  decideSet,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../ports/cutover-switch';
import { FENCE_PREFIX } from '../../core/cutover/model';
import { toMigrationError } from './msk-provisioner';

/** Route 53 refuses a change while the previous one on the zone is still applied: retry later. */
const ROUTE53_TRANSIENT = new Set(['PriorRequestNotComplete', 'Throttling', 'ThrottlingException']);

/** Records of one name and type read per page, and pages at most (weighted sets of 100+ records are not expected). */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

function route53Error(err: unknown, what: string, fatal: Fatal): MigrationError {
  const name = (err as { name?: string }).name ?? '';
  if (ROUTE53_TRANSIENT.has(name))
    return new TransientError(`${what} failed: ${name}: ${(err as Error).message}`, { awsError: name });
  return toMigrationError(err, what, fatal);
}

export interface Route53RecordPointerOptions {
  /** `Z0123…` (a `/hostedzone/` prefix is accepted). */
  readonly hostedZoneId: string;
  /** The name clients resolve, e.g. `kafka.internal.example.com` (the trailing dot is optional). */
  readonly recordName: string;
  /** TTL written with the record; clients may keep the old answer this long after the switch. @default 60 */
  readonly ttlSeconds?: number;
  /**
   * Weighted routing: the record is one of several with the same name, told apart by its set identifier.
   * @default - a simple record
   */
  readonly weighted?: { readonly setIdentifier: string; readonly weight: number };
}

/**
 * Where a fenced record points: a name under `.invalid`, the top-level domain RFC 2606 / RFC 6761 reserve so that it
 * never resolves. A client re-resolving the record during the fence gets NXDOMAIN — it cannot reach any broker — and
 * the record stays a valid host name. The fence value (`fenced:<migration>/<execution>[/failback]`) is carried in the
 * leading labels, base32 (RFC 4648, lower case, no padding), so reading the record gives the fence value back.
 */
export const ROUTE53_FENCE_SINK = 'fenced.msk-migration.invalid.';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MAX_LABEL = 63;
const MAX_NAME = 253;

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | undefined {
  const bytes: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of text) {
    const v = BASE32.indexOf(c);
    if (v < 0) return undefined;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The host name a fence value is written as; any other value is written as it is. */
export function route53RecordValue(value: string): string {
  if (!value.startsWith(FENCE_PREFIX)) return value;
  const encoded = base32(Buffer.from(value.slice(FENCE_PREFIX.length), 'utf8'));
  const labels = encoded.match(new RegExp(`.{1,${MAX_LABEL}}`, 'g')) ?? [];
  const name = `${labels.join('.')}.${ROUTE53_FENCE_SINK}`;
  if (name.length > MAX_NAME)
    throw new CutoverFailedError(
      `The fence value "${value}" does not fit in a host name under ${ROUTE53_FENCE_SINK} (${name.length} > ${MAX_NAME} characters): use a shorter migrationId or execution name.`,
    );
  return name;
}

/** The pointer value a record holds: a name under the fence sink reads back as its fence value. */
export function pointerValueOfRecord(recordValue: string): string {
  const lower = recordValue.toLowerCase();
  const sink = `.${ROUTE53_FENCE_SINK}`;
  const name = lower.endsWith('.') ? lower : `${lower}.`;
  if (!name.endsWith(sink)) return recordValue;
  const decoded = unbase32(name.slice(0, -sink.length).replace(/\./g, ''));
  return decoded ? `${FENCE_PREFIX}${decoded.toString('utf8')}` : recordValue;
}

/** Route 53 returns names fully qualified and lower case. */
function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * The pointer is a CNAME in a Route 53 hosted zone (simple, or one weighted record of several). A switch is an UPSERT,
 * a revert to "nothing" a DELETE of exactly the record found. Route 53 applies a change within about a minute: the
 * change ID is returned so that a Wait/Choice loop can poll GetChange until INSYNC; clients still see the old answer
 * for up to the TTL after that. A fence is never written as `fenced:…` (not a host name): it is a name under
 * {@link ROUTE53_FENCE_SINK}, which never resolves.
 */
export class Route53CutoverSwitch implements CutoverSwitch {
  readonly pointer: string;
  private readonly zoneId: string;
  private readonly name: string;
  private readonly ttl: number;

  constructor(
    private readonly client: Route53Client,
    private readonly options: Route53RecordPointerOptions,
  ) {
    this.zoneId = options.hostedZoneId.replace(/^\/hostedzone\//, '');
    this.name = fqdn(options.recordName);
    this.ttl = options.ttlSeconds ?? 60;
    this.pointer = `route53:${this.zoneId}/${this.name}/CNAME${options.weighted ? `/${options.weighted.setIdentifier}` : ''}`;
  }

  private async findRecord(fatal: Fatal): Promise<ResourceRecordSet | undefined> {
    const setIdentifier = this.options.weighted?.setIdentifier;
    // Record sets are listed in (name, type, set identifier) order. Starting at our name and type, scan the records of
    // that name and type (several only when weighted) for ours; StartRecordIdentifier is not relied on, since its
    // meaning is "continue after a truncated page", not "seek".
    let start: { name: string; identifier?: string } | undefined = { name: this.name };
    for (let page = 0; page < MAX_PAGES && start; page++) {
      let out: ListResourceRecordSetsCommandOutput;
      try {
        out = await this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: this.zoneId,
            StartRecordName: start.name,
            StartRecordType: 'CNAME',
            ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
            MaxItems: PAGE_SIZE,
          }),
        );
      } catch (err) {
        throw route53Error(err, `ListResourceRecordSets ${this.pointer}`, fatal);
      }
      for (const record of out.ResourceRecordSets ?? []) {
        if (fqdn(record.Name ?? '') !== this.name || record.Type !== 'CNAME') return undefined;
        if (record.SetIdentifier === setIdentifier) return record;
      }
      const next = out.NextRecordName;
      const sameNameNext =
        out.IsTruncated === true && next !== undefined && fqdn(next) === this.name && out.NextRecordType === 'CNAME';
      start = sameNameNext
        ? { name: this.name, ...(out.NextRecordIdentifier ? { identifier: out.NextRecordIdentifier } : {}) }
        : undefined;
    }
    return undefined;
  }

  private static valueOf(record: ResourceRecordSet | undefined): PointerValue | undefined {
    const value = record?.ResourceRecords?.[0]?.Value;
    return value === undefined ? undefined : { value: pointerValueOfRecord(value) };
  }

  read(): Promise<PointerValue | undefined> {
    return this.findRecord(CutoverFailedError).then(Route53CutoverSwitch.valueOf);
  }

  private async change(
    action: 'UPSERT' | 'DELETE',
    record: ResourceRecordSet,
    fatal: Fatal,
  ): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.zoneId,
          ChangeBatch: {
            Comment: `msk-migration ${action === 'UPSERT' ? 'cutover switch' : 'rollback'}`,
            Changes: [{ Action: action, ResourceRecordSet: record }],
          },
        }),
      );
      return out.ChangeInfo?.Id;
    } catch (err) {
      throw route53Error(err, `ChangeResourceRecordSets ${action} ${this.pointer}`, fatal);
    }
  }

  private recordFor(value: string): ResourceRecordSet {
    const weighted = this.options.weighted;
    return {
      Name: this.name,
      Type: 'CNAME',
      TTL: this.ttl,
      ResourceRecords: [{ Value: route53RecordValue(value) }],
      ...(weighted ? { SetIdentifier: weighted.setIdentifier, Weight: weighted.weight } : {}),
    };
  }

  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    const current = Route53CutoverSwitch.valueOf(await this.findRecord(CutoverFailedError));
    const decision = decideSet(this.pointer, current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason, { pointer: this.pointer });
    if (decision.action === 'none')
      return { previous: decision.previous, current: current ?? { value }, changed: false };
    const changeId = await this.change('UPSERT', this.recordFor(value), CutoverFailedError);
    return { previous: current, current: { value }, changed: true, ...(changeId ? { changeId } : {}) };
  }

  async revert(previous: PointerValue | undefined): Promise<{ changed: boolean; changeId?: string }> {
    const record = await this.findRecord(RollbackFailedError);
    const current = Route53CutoverSwitch.valueOf(record);
    if (previous === undefined) {
      if (!record) return { changed: false };
      // A DELETE must name the record set exactly as it is: the one just read.
      const changeId = await this.change('DELETE', record, RollbackFailedError);
      return { changed: true, ...(changeId ? { changeId } : {}) };
    }
    if (current?.value === previous.value) return { changed: false };
    const changeId = await this.change('UPSERT', this.recordFor(previous.value), RollbackFailedError);
    return { changed: true, ...(changeId ? { changeId } : {}) };
  }
}
