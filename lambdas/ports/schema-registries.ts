import type { HttpEndpoint, JsonHttpReads, JsonResponse } from './http-json';

/**
 * The schema registries a plan names (`schemaRegistries`), as the Inventory reads them: AWS Glue Schema Registry
 * registries (adapters/aws/glue-schema-registry.ts) and Confluent-compatible REST registries
 * (adapters/http/json-http.ts). Reads only: nothing is registered, changed or deleted.
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

/** IAM's decision on one action and resource: allowed, explicitDeny or implicitDeny. */
export interface AccessDecision {
  readonly action: string;
  readonly resource: string;
  readonly decision: string;
}

/** Whether a client application's IAM role may call Glue on the schemas (adapters/aws/iam-policy-simulator.ts). */
export interface ClientAccessSimulator {
  simulate(roleArn: string, actions: readonly string[], resources: readonly string[]): Promise<AccessDecision[]>;
}

/** A Confluent-compatible registry as the plan names it, read over its REST API (GET only). */
export type ConfluentRegistryEndpoint = HttpEndpoint;
export type RegistryResponse = JsonResponse;
export type ConfluentRegistryReads = JsonHttpReads;
