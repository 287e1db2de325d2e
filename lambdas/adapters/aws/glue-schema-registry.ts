import {
  GetRegistryCommand,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  GlueClient,
  ListSchemasCommand,
  ListSchemaVersionsCommand,
} from '@aws-sdk/client-glue';
import { AuthFailedError } from '../../core/errors';
import type {
  GlueRegistryDescription,
  GlueSchemaDescription,
  GlueSchemaRegistryReads,
  GlueSchemaVersion,
} from '../../ports/schema-registries';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

/** Schemas described per registry at most (GetSchema and ListSchemaVersions each): the rest is counted as truncated. */
export const MAX_SCHEMAS_PER_REGISTRY = 100;
/** Versions listed per schema (one ListSchemaVersions page). */
const MAX_VERSIONS = 100;

/** The Region of an ARN (`arn:aws:glue:eu-west-1:…`). */
export const regionOfArn = (arn: string): string => arn.split(':')[3] ?? '';

/**
 * The AWS Glue Schema Registry, read only: GetRegistry, ListSchemas, then GetSchema (compatibility, status) and
 * ListSchemaVersions for each schema; GetSchemaVersion finds a version by the id a record carries. A registry is read
 * with a client of its own Region (`clientFor`).
 */
export class GlueSchemaRegistry implements GlueSchemaRegistryReads {
  constructor(private readonly clientFor: (region: string) => GlueClient) {}

  async describeRegistry(registryArn: string): Promise<GlueRegistryDescription> {
    const glue = this.clientFor(regionOfArn(registryArn));
    try {
      const registry = await glue.send(new GetRegistryCommand({ RegistryId: { RegistryArn: registryArn } }));
      const listed: Array<{ arn: string; name: string }> = [];
      let nextToken: string | undefined;
      let truncated = false;
      do {
        const page = await glue.send(
          new ListSchemasCommand({ RegistryId: { RegistryArn: registryArn }, MaxResults: 100, NextToken: nextToken }),
        );
        for (const s of page.Schemas ?? [])
          if (s.SchemaArn) listed.push({ arn: s.SchemaArn, name: s.SchemaName ?? s.SchemaArn });
        nextToken = page.NextToken;
        if (listed.length >= MAX_SCHEMAS_PER_REGISTRY) {
          truncated = listed.length > MAX_SCHEMAS_PER_REGISTRY || nextToken !== undefined;
          break;
        }
      } while (nextToken);
      const schemas: GlueSchemaDescription[] = [];
      for (const s of listed.slice(0, MAX_SCHEMAS_PER_REGISTRY)) {
        const d = await glue.send(new GetSchemaCommand({ SchemaId: { SchemaArn: s.arn } }));
        const v = await glue.send(
          new ListSchemaVersionsCommand({ SchemaId: { SchemaArn: s.arn }, MaxResults: MAX_VERSIONS }),
        );
        schemas.push({
          schemaArn: s.arn,
          schemaName: d.SchemaName ?? s.name,
          status: d.SchemaStatus ?? 'UNKNOWN',
          dataFormat: d.DataFormat ?? 'UNKNOWN',
          compatibility: d.Compatibility ?? 'UNKNOWN',
          latestVersion: d.LatestSchemaVersion ?? null,
          versions: (v.Schemas ?? [])
            .map((x) => ({ versionNumber: x.VersionNumber ?? 0, status: x.Status ?? 'UNKNOWN' }))
            .sort((a, b) => a.versionNumber - b.versionNumber),
        });
      }
      return {
        registryArn,
        registryName: registry.RegistryName ?? registryArn.split('/').pop() ?? registryArn,
        status: registry.Status ?? 'UNKNOWN',
        schemas: schemas.sort((a, b) => a.schemaName.localeCompare(b.schemaName)),
        truncated,
      };
    } catch (err) {
      // Anything but throttling or a 5xx leaves the registry not collected (the Inventory records why).
      throw toMigrationError(err, `Glue GetRegistry / ListSchemas / GetSchema ${registryArn}`, AuthFailedError);
    }
  }

  async findSchemaVersion(region: string, schemaVersionId: string): Promise<GlueSchemaVersion | undefined> {
    try {
      const v = await this.clientFor(region).send(new GetSchemaVersionCommand({ SchemaVersionId: schemaVersionId }));
      return {
        schemaVersionId,
        schemaArn: v.SchemaArn ?? '',
        versionNumber: v.VersionNumber ?? null,
        status: v.Status ?? 'UNKNOWN',
        dataFormat: v.DataFormat ?? 'UNKNOWN',
      };
    } catch (err) {
      if ((err as { name?: string }).name === 'EntityNotFoundException') return undefined;
      throw toMigrationError(err, `Glue GetSchemaVersion ${schemaVersionId} in ${region}`, AuthFailedError);
    }
  }
}
