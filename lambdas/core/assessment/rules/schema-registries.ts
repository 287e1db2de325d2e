import type {
  ConfluentRegistryInventory,
  GlueRegistryInventory,
  Inventory,
  SchemaRegistriesInventory,
} from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * The schema registries the Inventory read (the plan's `schemaRegistries`, and the Glue registries the records'
 * schema version ids lead to), judged for the target: will the target's clients resolve every schema the migrated
 * topics' records carry? Replication copies values byte for byte, so a record keeps its schema id (Confluent) or
 * schema version UUID (Glue); what changes at the cutover is only where the clients run and which registry they ask.
 */

type CollectedGlue = Extract<GlueRegistryInventory, { status: 'COLLECTED' }>;
type CollectedConfluent = Extract<ConfluentRegistryInventory, { status: 'COLLECTED' }>;

const GLUE_CLIENT_GRANTS =
  "consumers need glue:GetSchemaVersion on the registry and its schemas; producers glue:GetSchemaByDefinition and glue:GetSchemaVersion (and glue:RegisterSchemaVersion, glue:CreateSchema, glue:PutSchemaVersionMetadata with the serde's schema auto-registration on), in the clients' roles on the target side too";

const servesTarget = (r: { usedBy: string }): boolean => r.usedBy !== 'SOURCE';

function glueFindings(regs: SchemaRegistriesInventory, selected: Set<string>, options: AssessmentOptions): Finding[] {
  const findings: Finding[] = [];
  const used = (topics: readonly string[]): string[] => topics.filter((t) => selected.has(t));

  const notRead = [
    ...regs.glue.flatMap((g) => (g.status === 'NOT_COLLECTED' ? [`${g.registryArn}: ${g.reason}`] : [])),
    ...regs.glueVersions.flatMap((v) =>
      v.result === 'NOT_LOOKED_UP' && used(v.topics).length > 0
        ? [`schema version ${v.schemaVersionId} (${used(v.topics).join(', ')}): ${v.reason ?? 'not looked up'}`]
        : [],
    ),
    ...regs.notRead.filter((n) => n.startsWith('AWS Glue')),
    ...regs.clientAccess.flatMap((a) =>
      a.status === 'NOT_SIMULATED' ? [`${a.roleArn} (${a.role}): ${a.reason}`] : [],
    ),
  ];
  if (notRead.length > 0)
    findings.push({
      id: 'schema-registry.glue-not-read',
      severity: 'WARNING',
      subject: plural(notRead.length, 'Glue registry read', 'Glue registry reads'),
      criterion: 'networkAndIdentity',
      evidence: `Not read: ${firstFew(notRead, 2)}. Whether the target's clients will resolve these schemas is not known.`,
      remediation:
        "Grant the Inventory task's role the Glue reads its reason names (a registry in another account cannot be read by it: check that one by hand), and run the inventory again.",
      items: notRead,
    });

  const missing = regs.glueVersions.filter((v) => v.result === 'NOT_FOUND' && used(v.topics).length > 0);
  if (missing.length > 0) {
    const items = missing.map(
      (v) => `${v.schemaVersionId} (${used(v.topics).join(', ')}): in no registry of ${v.regions.join(', ')}`,
    );
    findings.push({
      id: 'schema-registry.glue-version-missing',
      severity: 'BLOCKER',
      subject: plural(missing.length, 'schema version'),
      criterion: 'apiCompatibility',
      evidence: `Records of the migrated topics carry Glue schema versions found in no registry the Inventory could look in: ${firstFew(items, 3)}. A consumer on the target cannot deserialize them.`,
      remediation:
        'Name the registry that holds them in schemaRegistries.glue (its Region is then searched too); a version deleted from its registry cannot be resolved by any consumer: restore it, or acknowledge this finding when no consumer reads these records.',
      items,
    });
  }

  const collected = regs.glue.filter((g): g is CollectedGlue => g.status === 'COLLECTED');
  const unavailable: string[] = [];
  for (const v of regs.glueVersions) {
    if (v.result !== 'FOUND' || used(v.topics).length === 0) continue;
    const topics = used(v.topics).join(', ');
    if (v.versionStatus !== 'AVAILABLE')
      unavailable.push(`${v.schemaArn} version ${v.versionNumber ?? '?'} (${topics}): ${v.versionStatus ?? 'UNKNOWN'}`);
    const schema = collected.flatMap((g) => g.schemas).find((s) => s.schemaArn === v.schemaArn);
    if (schema && schema.status === 'DELETING') unavailable.push(`${schema.schemaArn} (${topics}): schema DELETING`);
  }
  for (const g of collected)
    if (g.registryStatus === 'DELETING') unavailable.push(`${g.registryArn}: registry DELETING`);
  if (unavailable.length > 0)
    findings.push({
      id: 'schema-registry.glue-unavailable',
      severity: 'BLOCKER',
      subject: plural(unavailable.length, 'schema or registry', 'schemas or registries'),
      criterion: 'apiCompatibility',
      evidence: `Not AVAILABLE: ${firstFew(unavailable, 3)}. The target's consumers resolve the records' versions in these.`,
      remediation:
        'Stop the deletion or restore the versions the records carry before the cutover (a FAILURE version was never registered: the producer wrote under another one); acknowledge only when no consumer reads these records.',
      items: unavailable,
    });

  // The clients' roles, as IAM's policy simulator decides: a consumer denied a schema its topics' records use cannot
  // read them on the target.
  const recordSchemas = new Set(
    regs.glueVersions.flatMap((v) =>
      v.result === 'FOUND' && v.schemaArn && used(v.topics).length > 0 ? [v.schemaArn] : [],
    ),
  );
  const denied: string[] = [];
  const limited: string[] = [];
  for (const a of regs.clientAccess) {
    if (a.status !== 'SIMULATED') continue;
    for (const d of a.decisions.filter((x) => x.decision !== 'allowed')) {
      const line = `${a.roleArn} (${a.role}): ${d.action} on ${d.resource} ${d.decision}`;
      (a.role !== 'PRODUCERS' && d.action === 'glue:GetSchemaVersion' && recordSchemas.has(d.resource)
        ? denied
        : limited
      ).push(line);
    }
  }
  if (denied.length > 0)
    findings.push({
      id: 'schema-registry.glue-client-denied',
      severity: 'BLOCKER',
      subject: plural(denied.length, 'client permission'),
      criterion: 'networkAndIdentity',
      evidence: `IAM's policy simulator denies consumers the schema versions the migrated topics' records carry: ${firstFew(denied, 3)}. Their deserializers fail on these records.`,
      remediation: `Grant glue:GetSchemaVersion on these schemas (and their registry) to the roles before the cutover; ${GLUE_CLIENT_GRANTS}.`,
      items: denied,
    });
  if (limited.length > 0)
    findings.push({
      id: 'schema-registry.glue-client-limited',
      severity: 'WARNING',
      subject: plural(limited.length, 'client permission'),
      criterion: 'networkAndIdentity',
      evidence: `IAM's policy simulator denies: ${firstFew(limited, 3)}.`,
      remediation: `Grant what the clients' serdes call: ${GLUE_CLIENT_GRANTS}.`,
      items: limited,
    });

  const targetRegion = options.targetRegion;
  if (targetRegion) {
    const elsewhere = [
      ...regs.glue.map((g) => ({ arn: g.registryArn, region: g.region })),
      ...regs.glueVersions.flatMap((v) =>
        v.result === 'FOUND' && v.region && used(v.topics).length > 0
          ? [{ arn: v.schemaArn ?? v.schemaVersionId, region: v.region }]
          : [],
      ),
    ].filter((r) => r.region !== targetRegion);
    const items = [...new Set(elsewhere.map((r) => `${r.arn} (${r.region})`))];
    if (items.length > 0)
      findings.push({
        id: 'schema-registry.glue-cross-region',
        severity: 'WARNING',
        subject: plural(items.length, 'Glue registry or schema', 'Glue registries or schemas'),
        criterion: 'networkAndIdentity',
        evidence: `In another Region than the target (${targetRegion}): ${firstFew(items, 3)}. The Glue serde looks versions up in the Region its configuration names, by default the client's own.`,
        remediation: `Keep the registry's Region in the serdes' configuration (region / AWSSchemaRegistryConstants.AWS_REGION) of every client that moves to the target, and let the clients' network reach Glue in that Region; ${GLUE_CLIENT_GRANTS}.`,
        items,
      });
  }

  if (collected.length > 0) {
    const items = collected.flatMap((g) =>
      g.schemas.map(
        (s) =>
          `${g.registryName}/${s.schemaName}: ${s.dataFormat}, ${s.compatibility}, ${plural(s.versions.length, 'version')}${s.latestVersion !== null ? ` (latest ${s.latestVersion})` : ''}, ${s.status}`,
      ),
    );
    const truncated = collected.filter((g) => g.truncated).map((g) => g.registryName);
    findings.push({
      id: 'schema-registry.glue-inventory',
      severity: 'INFO',
      subject: plural(collected.length, 'Glue registry', 'Glue registries'),
      criterion: 'networkAndIdentity',
      evidence: `${collected.map((g) => `${g.registryName} (${g.region}, ${g.namedBy === 'PLAN' ? 'named by the plan' : "found from the records' schema versions"}): ${plural(g.schemas.length, 'schema')}`).join('; ')}${truncated.length ? `; more schemas than were described in ${truncated.join(', ')}` : ''}. The clients resolve schemas through AWS, not Kafka: the target needs no copy of them.`,
      remediation: `Keep the clients' registry settings (Region, registry name) when they switch; ${GLUE_CLIENT_GRANTS}.`,
      items,
    });
  }
  return findings;
}

function confluentFindings(regs: SchemaRegistriesInventory, inventory: Inventory, selected: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const notRead = [
    ...regs.confluent.flatMap((c) => (c.status === 'NOT_COLLECTED' ? [`${c.url}: ${c.reason}`] : [])),
    ...regs.confluent.flatMap((c) => (c.status === 'COLLECTED' ? c.partial.map((p) => `${c.url}: ${p}`) : [])),
    ...regs.notRead.filter((n) => n.startsWith('Confluent')),
  ];
  if (notRead.length > 0)
    findings.push({
      id: 'schema-registry.confluent-not-read',
      severity: 'WARNING',
      subject: plural(notRead.length, 'registry read'),
      criterion: 'networkAndIdentity',
      evidence: `Not read (or read in part): ${firstFew(notRead, 2)}. Whether the target's clients will resolve these schemas is not known.`,
      remediation:
        "Fix what the reason names (the credentials secret, the URL, the Inventory function's network path to the registry) and run the inventory again.",
      items: notRead,
    });

  const collected = regs.confluent.filter((c): c is CollectedConfluent => c.status === 'COLLECTED');
  // The schema ids of the migrated topics' records, and the topics that carry each.
  const idTopics = new Map<string, string[]>();
  const records = inventory.clientBehaviour?.records;
  if (records?.status === 'COLLECTED')
    for (const t of records.topics)
      if (selected.has(t.topic))
        for (const id of t.wireFormats?.schemaIds ?? [])
          if (/^\d+$/.test(id)) idTopics.set(id, [...(idTopics.get(id) ?? []), t.topic]);
  const label = (id: string): string => `schema id ${id} (${(idTopics.get(id) ?? []).join(', ')})`;

  const blockers: string[] = [];
  const warnings: string[] = [];
  for (const c of collected)
    for (const s of c.schemaIds) {
      if (!idTopics.has(s.id) || s.result !== 'NOT_FOUND') continue;
      (servesTarget(c) ? blockers : warnings).push(`${label(s.id)}: not in ${c.url} (${c.usedBy})`);
    }
  // A registry the target's clients use must give each id the schema the source's registry gives it.
  const sources = collected.filter((c) => c.usedBy === 'SOURCE');
  for (const t of collected.filter((c) => c.usedBy === 'TARGET'))
    for (const s of t.schemaIds) {
      if (!idTopics.has(s.id) || s.result !== 'FOUND') continue;
      for (const src of sources) {
        const there = src.schemaIds.find((x) => x.id === s.id);
        if (there?.result === 'FOUND' && there.schemaDigest !== s.schemaDigest)
          blockers.push(`${label(s.id)}: another schema in ${t.url} than in ${src.url}`);
      }
    }
  if (blockers.length > 0)
    findings.push({
      id: 'schema-registry.confluent-id-unresolved',
      severity: 'BLOCKER',
      subject: plural(blockers.length, 'schema id'),
      criterion: 'apiCompatibility',
      evidence: `The migrated topics' records carry schema ids the target's registry does not resolve to their schema: ${firstFew(blockers, 3)}. Replication copies the ids unchanged; a consumer on the target fails on these records (or reads them with the wrong schema).`,
      remediation:
        "Copy the source registry's subjects to the target's with their ids (schema linking / an exporter, or the registry in IMPORT mode registering each schema under its id), or keep the clients on the source's registry (usedBy BOTH); acknowledge only when no consumer reads these records.",
      items: blockers,
    });
  if (warnings.length > 0)
    findings.push({
      id: 'schema-registry.confluent-id-not-in-source-registry',
      severity: 'WARNING',
      subject: plural(warnings.length, 'schema id'),
      criterion: 'apiCompatibility',
      evidence: `Not in the source's registry: ${firstFew(warnings, 3)}. The records were written against another registry, or the schema was deleted.`,
      remediation:
        'Name the registry the producers use in schemaRegistries.confluent, or restore the deleted schemas, so the consumers of both sides resolve them.',
      items: warnings,
    });

  // Subjects of the migrated topics (topic name strategy), where the target's clients look them up.
  const confluentTopics = [
    ...new Set(
      records?.status === 'COLLECTED'
        ? records.topics.filter((t) => selected.has(t.topic) && (t.wireFormats?.confluent ?? 0) > 0).map((t) => t.topic)
        : [],
    ),
  ];
  const subjectGaps: string[] = [];
  for (const c of collected.filter(servesTarget)) {
    const present = new Set(c.topicSubjects.map((s) => s.subject));
    for (const topic of confluentTopics)
      if (!present.has(`${topic}-value`)) subjectGaps.push(`${topic}-value: not a subject of ${c.url} (${c.usedBy})`);
    // Subjects of the source's registry the target's registry lacks, or has fewer versions of.
    if (c.usedBy === 'TARGET')
      for (const src of collected.filter((x) => x.usedBy === 'SOURCE'))
        for (const s of src.topicSubjects) {
          const topic = s.subject.replace(/-(key|value)$/, '');
          if (!selected.has(topic)) continue;
          const there = c.topicSubjects.find((x) => x.subject === s.subject);
          if (!there) subjectGaps.push(`${s.subject}: in ${src.url}, not in ${c.url}`);
          else if (there.versions.length < s.versions.length)
            subjectGaps.push(
              `${s.subject}: ${plural(s.versions.length, 'version')} in ${src.url}, ${there.versions.length} in ${c.url}`,
            );
        }
  }
  const uniqueGaps = [...new Set(subjectGaps)];
  if (uniqueGaps.length > 0)
    findings.push({
      id: 'schema-registry.confluent-subjects',
      severity: 'WARNING',
      subject: plural(uniqueGaps.length, 'subject'),
      criterion: 'apiCompatibility',
      evidence: `Subjects the migrated topics' clients use under the topic name strategy (<topic>-value) that the target's registry lacks: ${firstFew(uniqueGaps, 3)}.`,
      remediation:
        'Producers on the target that do not auto-register (auto.register.schemas=false, use.latest.version) fail without their subject; with auto-registration they register new ids. Copy the subjects before the cutover, or check that these clients use another subject name strategy (RecordNameStrategy, TopicRecordNameStrategy).',
      items: uniqueGaps,
    });

  // Compatibility and mode of the target's registry against the source's.
  const settings: string[] = [];
  for (const t of collected.filter((c) => c.usedBy === 'TARGET')) {
    if (t.mode && t.mode !== 'READWRITE')
      settings.push(`${t.url}: mode ${t.mode} (producers cannot register schemas until it is READWRITE)`);
    for (const src of collected.filter((c) => c.usedBy === 'SOURCE')) {
      if (src.globalCompatibility && t.globalCompatibility && src.globalCompatibility !== t.globalCompatibility)
        settings.push(
          `global compatibility ${src.globalCompatibility} in ${src.url}, ${t.globalCompatibility} in ${t.url}`,
        );
      for (const s of src.topicSubjects) {
        const there = t.topicSubjects.find((x) => x.subject === s.subject);
        const effective = (x: { compatibility: string | null }, r: CollectedConfluent): string | null =>
          x.compatibility ?? r.globalCompatibility;
        if (there && effective(s, src) !== effective(there, t))
          settings.push(
            `${s.subject}: compatibility ${effective(s, src) ?? '?'} in ${src.url}, ${effective(there, t) ?? '?'} in ${t.url}`,
          );
      }
    }
  }
  if (settings.length > 0)
    findings.push({
      id: 'schema-registry.confluent-settings',
      severity: 'WARNING',
      subject: plural(settings.length, 'registry setting'),
      criterion: 'apiCompatibility',
      evidence: `The target's registry is set otherwise than the source's: ${firstFew(settings, 3)}.`,
      remediation:
        "Set the target registry's compatibility as the source's (a looser level lets producers register versions the source's consumers could not read; a stricter one refuses versions the source accepted), and its mode to READWRITE once the subjects are copied.",
      items: settings,
    });

  if (collected.length > 0)
    findings.push({
      id: 'schema-registry.confluent-inventory',
      severity: 'INFO',
      subject: plural(collected.length, 'Confluent-compatible registry', 'Confluent-compatible registries'),
      criterion: 'apiCompatibility',
      evidence: collected
        .map(
          (c) =>
            `${c.url} (${c.usedBy}): ${plural(c.subjectCount, 'subject')}, global compatibility ${c.globalCompatibility ?? 'not read'}, mode ${c.mode ?? 'not read'}; ${plural(c.schemaIds.filter((s) => s.result === 'FOUND').length, 'record schema id')} of ${c.schemaIds.length} found`,
        )
        .join('; '),
      remediation:
        "Keep the clients' schema.registry.url (and its credentials) when they switch, unless a copy with the same ids serves the target.",
      items: collected.flatMap((c) =>
        c.topicSubjects.map(
          (s) =>
            `${c.url} ${s.subject}: versions ${s.versions.join(', ') || 'none read'}, compatibility ${s.compatibility ?? `${c.globalCompatibility ?? '?'} (global)`}`,
        ),
      ),
    });
  return findings;
}

export function schemaRegistryInventoryRule(
  inventory: Inventory,
  _profile: TargetProfile,
  options: AssessmentOptions,
): Finding[] {
  const regs = inventory.schemaRegistries;
  if (!regs) return [];
  const selected = new Set(scopeOf(inventory, options).topics.map((t) => t.name));
  const withRegion =
    options.targetRegion === undefined && options.targetRegionIsInventoryRegion && regs.region
      ? { ...options, targetRegion: regs.region }
      : options;
  return [...glueFindings(regs, selected, withRegion), ...confluentFindings(regs, inventory, selected)];
}
