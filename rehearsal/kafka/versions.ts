import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The harness's Kafka versions (versions.json, also read by fetch-jars.sh) and where their jars are. */

interface VersionsFile {
  readonly versions: ReadonlyArray<{ readonly line: string; readonly version: string; readonly profile: string }>;
}

const HERE = __dirname;
const versionsFile = JSON.parse(readFileSync(path.join(HERE, 'versions.json'), 'utf8')) as VersionsFile;

/** Every Kafka version the harness runs, oldest line first (today 3.9.x and 4.x). */
export const KAFKA_VERSIONS: readonly string[] = versionsFile.versions.map((v) => v.version);

/** The newest version of the harness, the default when a caller does not choose. */
export const LATEST_KAFKA_VERSION: string = KAFKA_VERSIONS[KAFKA_VERSIONS.length - 1] ?? '4.3.1';

/** The version of a line (`'3'` → `3.9.2`), or the argument itself when it is already a full version. */
export function kafkaVersion(lineOrVersion: string): string {
  return versionsFile.versions.find((v) => v.line === lineOrVersion)?.version ?? lineOrVersion;
}

export function majorVersion(version: string): number {
  return Number(version.split('.')[0]);
}

/** Folder holding the version's jars; throws, saying what to run, when `npm run kafka:jars` has not fetched them. */
export function jarsDir(version: string): string {
  const dir = path.join(HERE, 'jars', version);
  if (!existsSync(path.join(dir, '.complete'))) {
    throw new Error(`Kafka ${version} jars are missing in ${dir}: run \`npm run kafka:jars\` (Maven, JDK 17) first.`);
  }
  return dir;
}

/** The repository's root, for `.work/` (gitignored) where runs keep their logs. */
export const REPO_ROOT = path.resolve(HERE, '../..');
