import { createHash } from 'node:crypto';
import type {
  ClientAccessSimulator,
  ConfluentRegistryEndpoint,
  ConfluentRegistryReads,
  GlueSchemaRegistryReads,
  RegistryResponse,
} from '../../ports/schema-registries';
import { TransientError } from '../errors';
import { reasonOf } from './data-plane';
import type {
  ClientAccess,
  ConfluentRegistryInventory,
  GlueRegistryInventory,
  GlueVersionLookup,
  Inventory,
  SchemaRegistriesInventory,
} from './model';

/**
 * The schema registries of the migration: those the plan names (`schemaRegistries`) and the Glue registries the
 * sampled records' schema version ids lead to. For each, what the target's clients will need to resolve: the
 * subjects / schemas, their versions and compatibility, and whether the ids the records carry are there. A registry
 * that cannot be read is recorded as not collected, with why: it never fails the inventory (throttling aside).
 */

/** The plan's `schemaRegistries`, as the Inventory reads it. */
export interface SchemaRegistriesPlan {
  readonly glue?: ReadonlyArray<{ readonly registryArn: string }>;
  readonly confluent?: ReadonlyArray<ConfluentRegistryEndpoint & { readonly usedBy: 'SOURCE' | 'TARGET' | 'BOTH' }>;
  /** The client applications' IAM roles, simulated for the Glue calls their serdes make. */
  readonly clientRoles?: ReadonlyArray<{ readonly roleArn: string; readonly role: ClientRole }>;
}

type ClientRole = 'CONSUMERS' | 'PRODUCERS' | 'BOTH';

/** The Glue calls a serde makes: a consumer's deserializer resolves versions, a producer's serializer its schema too. */
export const GLUE_CLIENT_ACTIONS: Readonly<Record<ClientRole, readonly string[]>> = {
  CONSUMERS: ['glue:GetSchemaVersion'],
  PRODUCERS: ['glue:GetSchemaByDefinition', 'glue:GetSchemaVersion'],
  BOTH: ['glue:GetSchemaByDefinition', 'glue:GetSchemaVersion'],
};
/** Schemas a role is simulated on at most. */
export const MAX_SIMULATED_SCHEMAS = 50;

export interface SchemaRegistryReaders {
  /** Absent where the runtime has no AWS (the local rehearsal). */
  readonly glue?: GlueSchemaRegistryReads;
  readonly confluent?: ConfluentRegistryReads;
  /** IAM's policy simulator, for the plan's clientRoles. */
  readonly access?: ClientAccessSimulator;
  /** The Region the Inventory runs in: a Glue version id found in no named registry is looked up there. */
  readonly region?: string;
}

/** Bounds: lookups and requests per inventory. */
export const MAX_GLUE_VERSION_LOOKUPS = 50;
export const MAX_GLUE_REGISTRIES = 10;
export const MAX_CONFLUENT_SCHEMA_IDS = 50;
export const MAX_TOPIC_SUBJECTS = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NUMERIC_ID = /^\d+$/;

const regionOf = (arn: string): string => arn.split(':')[3] ?? '';

/** `arn:aws:glue:r:a:schema/<registry>/<schema>` → `arn:aws:glue:r:a:registry/<registry>`. */
export function registryArnOfSchema(schemaArn: string): string | undefined {
  const m = /^(arn:[^:]+:glue:[^:]+:[^:]+:)schema\/([^/]+)\/.+$/.exec(schemaArn);
  return m ? `${m[1]}registry/${m[2]}` : undefined;
}

/** The schema ids the sampled record values carry, by topic: Glue version UUIDs and Confluent numeric ids apart. */
function idsFromRecords(inventory: Pick<Inventory, 'clientBehaviour'>): {
  glue: Map<string, string[]>;
  confluent: Map<string, string[]>;
} {
  const glue = new Map<string, string[]>();
  const confluent = new Map<string, string[]>();
  const records = inventory.clientBehaviour?.records;
  if (records?.status !== 'COLLECTED') return { glue, confluent };
  for (const t of records.topics)
    for (const id of t.wireFormats?.schemaIds ?? []) {
      const into = UUID.test(id) ? glue : NUMERIC_ID.test(id) ? confluent : undefined;
      if (!into) continue;
      const topics = into.get(id) ?? [];
      if (!topics.includes(t.topic)) topics.push(t.topic);
      into.set(id, topics);
    }
  return { glue, confluent };
}

function passTransient(err: unknown): void {
  if (err instanceof TransientError) throw err;
}

const GLUE_GRANTS =
  "Grant glue:GetRegistry, glue:ListSchemas, glue:GetSchema, glue:ListSchemaVersions and glue:GetSchemaVersion on the registry and its schemas to the Inventory task's role (a registry of another account is not readable by it).";

async function lookUpGlueVersions(
  reads: GlueSchemaRegistryReads,
  ids: Map<string, string[]>,
  regions: readonly string[],
): Promise<GlueVersionLookup[]> {
  const out: GlueVersionLookup[] = [];
  for (const [schemaVersionId, topics] of [...ids].slice(0, MAX_GLUE_VERSION_LOOKUPS)) {
    let found: GlueVersionLookup | undefined;
    let failure: string | undefined;
    for (const region of regions) {
      try {
        const v = await reads.findSchemaVersion(region, schemaVersionId);
        if (v) {
          found = {
            schemaVersionId,
            topics,
            result: 'FOUND',
            regions: [...regions],
            region,
            schemaArn: v.schemaArn,
            versionNumber: v.versionNumber,
            versionStatus: v.status,
          };
          break;
        }
      } catch (err) {
        passTransient(err);
        failure = `${region}: ${reasonOf(err)}`;
      }
    }
    out.push(
      found ??
        (failure
          ? {
              schemaVersionId,
              topics,
              result: 'NOT_LOOKED_UP',
              regions: [...regions],
              reason: `${failure}. ${GLUE_GRANTS}`,
            }
          : { schemaVersionId, topics, result: 'NOT_FOUND', regions: [...regions] }),
    );
  }
  return out;
}

async function describeGlueRegistry(
  reads: GlueSchemaRegistryReads,
  registryArn: string,
  namedBy: 'PLAN' | 'RECORDS',
): Promise<GlueRegistryInventory> {
  const region = regionOf(registryArn);
  try {
    const d = await reads.describeRegistry(registryArn);
    return {
      status: 'COLLECTED',
      registryArn,
      registryName: d.registryName,
      region,
      namedBy,
      registryStatus: d.status,
      schemas: d.schemas.map((s) => ({
        ...s,
        versions: s.versions.map((v) => ({ versionNumber: v.versionNumber, status: v.status })),
      })),
      truncated: d.truncated,
    };
  } catch (err) {
    passTransient(err);
    return {
      status: 'NOT_COLLECTED',
      registryArn,
      region,
      namedBy,
      reason: `AWS Glue refused: ${reasonOf(err)}. ${GLUE_GRANTS}`,
    };
  }
}

// ---- Confluent-compatible REST registries ----

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));

/** The registry's error message (`{"error_code": 40101, "message": "…"}`), when it gave one. */
function registryMessage(r: RegistryResponse): string {
  const b = r.body as { error_code?: unknown; message?: unknown } | undefined;
  const code = typeof b?.error_code === 'number' ? ` error_code ${b.error_code}` : '';
  const message = typeof b?.message === 'string' ? `: ${b.message.slice(0, 200)}` : '';
  return `HTTP ${r.status}${code}${message}`;
}

/** Confluent answers `compatibilityLevel`; some compatible registries `compatibility`. */
function compatibilityOf(body: unknown): string | undefined {
  const b = body as { compatibilityLevel?: unknown; compatibility?: unknown } | undefined;
  const level = b?.compatibilityLevel ?? b?.compatibility;
  return typeof level === 'string' ? level : undefined;
}

function refusal(endpoint: ConfluentRegistryEndpoint, r: RegistryResponse, path: string): string {
  const auth = endpoint.credentialsSecretArn
    ? `the registry refused the credentials of secret ${endpoint.credentialsSecretArn} (check the username and password in it, and that the user may read subjects)`
    : 'the registry needs credentials: name a secret holding them (credentialsSecretArn)';
  return `GET ${path} answered ${registryMessage(r)}: ${auth}.`;
}

async function describeConfluentRegistry(
  reads: ConfluentRegistryReads,
  endpoint: ConfluentRegistryEndpoint & { readonly usedBy: 'SOURCE' | 'TARGET' | 'BOTH' },
  topics: readonly string[],
  schemaIds: readonly string[],
): Promise<ConfluentRegistryInventory> {
  const { url, usedBy } = endpoint;
  const notCollected = (reason: string): ConfluentRegistryInventory => ({
    status: 'NOT_COLLECTED',
    url,
    usedBy,
    reason,
  });
  try {
    const subjects = await reads.get(endpoint, '/subjects');
    if (subjects.status === 401 || subjects.status === 403)
      return notCollected(refusal(endpoint, subjects, '/subjects'));
    if (subjects.status !== 200)
      return notCollected(`GET /subjects answered ${registryMessage(subjects)}: is ${url} a schema registry's URL?`);
    if (!isStringArray(subjects.body))
      return notCollected(
        'GET /subjects answered 200 with a body that is not a JSON array of subject names: is this a Confluent-compatible schema registry (its REST API, not its UI)?',
      );
    const partial: string[] = [];
    const config = await reads.get(endpoint, '/config');
    const globalCompatibility = config.status === 200 ? (compatibilityOf(config.body) ?? null) : null;
    if (globalCompatibility === null)
      partial.push(
        `GET /config: ${config.status === 200 ? 'no compatibilityLevel in the answer' : registryMessage(config)}`,
      );
    const modeAnswer = await reads.get(endpoint, '/mode');
    const modeValue = (modeAnswer.body as { mode?: unknown } | undefined)?.mode;
    const mode = modeAnswer.status === 200 && typeof modeValue === 'string' ? modeValue : null;

    const present = new Set(subjects.body);
    const wanted = topics
      .flatMap((t) => [`${t}-key`, `${t}-value`])
      .filter((s) => present.has(s))
      .slice(0, MAX_TOPIC_SUBJECTS);
    const topicSubjects: Extract<ConfluentRegistryInventory, { status: 'COLLECTED' }>['topicSubjects'] = [];
    for (const subject of wanted) {
      const enc = encodeURIComponent(subject);
      const versions = await reads.get(endpoint, `/subjects/${enc}/versions`);
      if (versions.status !== 200 || !isIntArray(versions.body))
        partial.push(
          `GET /subjects/${subject}/versions: ${versions.status === 200 ? 'not a JSON array of version numbers' : registryMessage(versions)}`,
        );
      const own = await reads.get(endpoint, `/config/${enc}?defaultToGlobal=false`);
      // 404 (40401 / 40408): the subject has no level of its own; the global one applies.
      if (own.status !== 200 && own.status !== 404) partial.push(`GET /config/${subject}: ${registryMessage(own)}`);
      topicSubjects.push({
        subject,
        versions: versions.status === 200 && isIntArray(versions.body) ? [...versions.body].sort((a, b) => a - b) : [],
        compatibility: own.status === 200 ? (compatibilityOf(own.body) ?? null) : null,
      });
    }

    const ids: Extract<ConfluentRegistryInventory, { status: 'COLLECTED' }>['schemaIds'] = [];
    for (const id of schemaIds.slice(0, MAX_CONFLUENT_SCHEMA_IDS)) {
      const r = await reads.get(endpoint, `/schemas/ids/${id}`);
      const schema = (r.body as { schema?: unknown } | undefined)?.schema;
      if (r.status === 200 && typeof schema === 'string')
        ids.push({
          id,
          result: 'FOUND',
          schemaDigest: createHash('sha256').update(schema).digest('hex').slice(0, 16),
        });
      else if (r.status === 404) ids.push({ id, result: 'NOT_FOUND' });
      else
        ids.push({
          id,
          result: 'UNREADABLE',
          reason: r.status === 200 ? 'the answer has no "schema" string' : registryMessage(r),
        });
    }
    return {
      status: 'COLLECTED',
      url,
      usedBy,
      globalCompatibility,
      mode,
      subjectCount: subjects.body.length,
      topicSubjects,
      schemaIds: ids,
      partial,
    };
  } catch (err) {
    passTransient(err);
    return notCollected(reasonOf(err));
  }
}

/**
 * Reads every registry; `undefined` when the plan names none and there is no Glue schema version from the records to
 * look up.
 */
export async function readSchemaRegistries(
  readers: SchemaRegistryReaders,
  plan: SchemaRegistriesPlan | undefined,
  inventory: Pick<Inventory, 'dataPlane' | 'clientBehaviour'>,
): Promise<SchemaRegistriesInventory | undefined> {
  const planned = plan?.glue ?? [];
  const endpoints = plan?.confluent ?? [];
  const ids = idsFromRecords(inventory);
  // Version ids in records are looked up only where there is a Glue reader: the local rehearsal has none to say so.
  const lookUpRecords = ids.glue.size > 0 && readers.glue !== undefined;
  if (planned.length === 0 && endpoints.length === 0 && !lookUpRecords) return undefined;

  const notRead: string[] = [];
  const glue: GlueRegistryInventory[] = [];
  let glueVersions: GlueVersionLookup[] = [];
  if (planned.length > 0 || lookUpRecords) {
    if (!readers.glue)
      notRead.push('AWS Glue Schema Registry: no Glue reader in this runtime (the local rehearsal has none).');
    else {
      const regions = [
        ...new Set([...planned.map((r) => regionOf(r.registryArn)), ...(readers.region ? [readers.region] : [])]),
      ];
      glueVersions = await lookUpGlueVersions(readers.glue, ids.glue, regions);
      const arns = new Map<string, 'PLAN' | 'RECORDS'>(planned.map((r) => [r.registryArn, 'PLAN']));
      for (const v of glueVersions) {
        const registry = v.schemaArn ? registryArnOfSchema(v.schemaArn) : undefined;
        if (registry && !arns.has(registry)) arns.set(registry, 'RECORDS');
      }
      for (const [arn, namedBy] of [...arns].slice(0, MAX_GLUE_REGISTRIES))
        glue.push(await describeGlueRegistry(readers.glue, arn, namedBy));
    }
  }

  const clientAccess = await simulateClientRoles(readers, plan?.clientRoles ?? [], glue, glueVersions, notRead);

  const confluent: ConfluentRegistryInventory[] = [];
  if (endpoints.length > 0) {
    if (!readers.confluent) notRead.push('Confluent-compatible registries: no HTTP reader in this runtime.');
    else {
      const topics = inventory.dataPlane.topics
        .filter((t) => t.status === 'DESCRIBED' && !t.internal)
        .map((t) => t.name);
      for (const endpoint of endpoints)
        confluent.push(await describeConfluentRegistry(readers.confluent, endpoint, topics, [...ids.confluent.keys()]));
    }
  }
  return { region: readers.region ?? null, glue, glueVersions, confluent, clientAccess, notRead };
}

/**
 * Each client role the plan names, simulated for its serde's Glue calls on the schemas read: those the records'
 * versions belong to and those of the registries the plan names.
 */
async function simulateClientRoles(
  readers: SchemaRegistryReaders,
  roles: NonNullable<SchemaRegistriesPlan['clientRoles']>,
  glue: readonly GlueRegistryInventory[],
  versions: readonly GlueVersionLookup[],
  notRead: string[],
): Promise<ClientAccess[]> {
  if (roles.length === 0) return [];
  if (!readers.access) {
    notRead.push('AWS Glue clients: no IAM policy simulator in this runtime.');
    return [];
  }
  const schemas = [
    ...new Set([
      ...versions.flatMap((v) => (v.result === 'FOUND' && v.schemaArn ? [v.schemaArn] : [])),
      ...glue.flatMap((g) =>
        g.status === 'COLLECTED' && g.namedBy === 'PLAN' ? g.schemas.map((s) => s.schemaArn) : [],
      ),
    ]),
  ].slice(0, MAX_SIMULATED_SCHEMAS);
  const out: ClientAccess[] = [];
  for (const { roleArn, role } of roles) {
    if (schemas.length === 0) {
      out.push({ status: 'NOT_SIMULATED', roleArn, role, reason: 'no Glue schema was read to simulate it on' });
      continue;
    }
    try {
      const decisions = await readers.access.simulate(roleArn, GLUE_CLIENT_ACTIONS[role], schemas);
      out.push({ status: 'SIMULATED', roleArn, role, decisions });
    } catch (err) {
      passTransient(err);
      out.push({
        status: 'NOT_SIMULATED',
        roleArn,
        role,
        reason: `IAM could not simulate it: ${reasonOf(err)}${
          /AccessDenied/.test(String((err as { details?: { awsError?: unknown } }).details?.awsError ?? ''))
            ? ". Grant iam:SimulatePrincipalPolicy on the role to the Inventory task's role (construct prop clientSwitchTaskRoleArns)."
            : ''
        }`,
      });
    }
  }
  return out;
}

/** The inventory gaps of the registries: those not read, and why. */
export function schemaRegistryGaps(registries: SchemaRegistriesInventory | undefined): string[] {
  if (!registries) return [];
  return [
    ...registries.notRead,
    ...registries.clientAccess.flatMap((a) => (a.status === 'NOT_SIMULATED' ? [`${a.roleArn}: ${a.reason}`] : [])),
    ...registries.glue.flatMap((g) => (g.status === 'NOT_COLLECTED' ? [`${g.registryArn}: ${g.reason}`] : [])),
    ...registries.confluent.flatMap((c) => (c.status === 'NOT_COLLECTED' ? [`${c.url}: ${c.reason}`] : [])),
  ];
}
