/**
 * The schema registries a plan names (`schemaRegistries`), as the Inventory reads them: AWS Glue Schema Registry
 * registries (adapters/aws/glue-schema-registry.ts) and Confluent-compatible REST registries
 * (adapters/http/confluent-schema-registry.ts). Reads only: nothing is registered, changed or deleted.
 */

/** A Glue registry, its schemas and their versions. */
export interface GlueRegistryDescription {
  readonly registryArn: string;
  readonly registryName: string;
  /** AVAILABLE or DELETING. */
  readonly status: string;
  readonly schemas: readonly GlueSchemaDescription[];
  /** True when the registry has more schemas than were read (the listing is bounded). */
  readonly truncated: boolean;
}

export interface GlueSchemaDescription {
  readonly schemaArn: string;
  readonly schemaName: string;
  /** AVAILABLE, PENDING or DELETING. */
  readonly status: string;
  /** AVRO, JSON or PROTOBUF. */
  readonly dataFormat: string;
  /** NONE, DISABLED, BACKWARD, BACKWARD_ALL, FORWARD, FORWARD_ALL, FULL, FULL_ALL. */
  readonly compatibility: string;
  readonly latestVersion: number | null;
  /** Its versions: number and status (AVAILABLE, PENDING, FAILURE, DELETING). */
  readonly versions: ReadonlyArray<{ readonly versionNumber: number; readonly status: string }>;
}

/** A schema version found by its id (the UUID the Glue serde writes after its header). */
export interface GlueSchemaVersion {
  readonly schemaVersionId: string;
  readonly schemaArn: string;
  readonly versionNumber: number | null;
  readonly status: string;
  readonly dataFormat: string;
}

export interface GlueSchemaRegistryReads {
  describeRegistry(registryArn: string): Promise<GlueRegistryDescription>;
  /**
   * The version with this id, looked up in a Region (GetSchemaVersion by SchemaVersionId searches the caller's account
   * in that Region); `undefined` when there is none there.
   */
  findSchemaVersion(region: string, schemaVersionId: string): Promise<GlueSchemaVersion | undefined>;
}

/** A Confluent-compatible registry as the plan names it. */
export interface ConfluentRegistryEndpoint {
  readonly url: string;
  /** A Secrets Manager secret holding `{"username": …, "password": …}` (HTTP Basic), when the registry needs one. */
  readonly credentialsSecretArn?: string;
}

/** One HTTP answer of a registry: its status and its parsed JSON body (`undefined` when the body was not JSON). */
export interface RegistryResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface ConfluentRegistryReads {
  /** GET `path` (with its query) on the registry, authenticated as the endpoint says. */
  get(endpoint: ConfluentRegistryEndpoint, path: string): Promise<RegistryResponse>;
}
