/**
 * Where a migration keeps its evidence: inventory, assessment, gate evaluations, approval audit, reports.
 * Step Functions payloads are capped at 256 KB, so the state carries keys and summaries, the store the data.
 * Adapters: S3 (aws), a folder (local).
 */
export interface ArtifactStore {
  /** Writes a JSON document under `key` (overwrites). Returns a locator a person can open (s3://… or a path). */
  putJson(key: string, value: unknown): Promise<string>;
  /** Reads a JSON document; `undefined` when there is no object under `key`. */
  getJson<T = unknown>(key: string): Promise<T | undefined>;
  /** Writes text (Markdown, HTML) with its content type. */
  putText(key: string, body: string, contentType: string): Promise<string>;
  /** Reads text; `undefined` when absent. */
  getText(key: string): Promise<string | undefined>;
  /** Keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** Artifact keys are namespaced by migration and execution, so two executions never overwrite each other. */
export function artifactKey(migrationId: string, executionName: string, name: string): string {
  return `migrations/${migrationId}/${executionName}/${name}`;
}
