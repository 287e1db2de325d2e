import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The layer rules of eslint.config.mjs (docs/architecture.md), proven by linting a file that breaks each. ESLint
 * loads its flat config with a dynamic import, which jest's VM cannot run: the files are linted in one child node.
 */

const ROOT = path.join(__dirname, '../..');
const LINT = `
const { ESLint } = require('eslint');
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const [file, code] of JSON.parse(input)) {
    const [result] = await eslint.lintText(code, { filePath: require('node:path').join(process.cwd(), file) });
    out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
});`;

function restrictedImports(cases: ReadonlyArray<readonly [string, string]>): string[][] {
  const stdout = execFileSync(process.execPath, ['-e', LINT], { cwd: ROOT, input: JSON.stringify(cases) });
  return JSON.parse(stdout.toString()) as string[][];
}

const REFUSED: ReadonlyArray<readonly [string, string, RegExp]> = [
  ['lambdas/core/x.ts', "import { S3Client } from '@aws-sdk/client-s3';", /no SDK/],
  ['lambdas/core/x.ts', "import { Kafka } from 'kafkajs';", /no Kafka client/],
  ['lambdas/core/cutover/x.ts', "import { readFileSync } from 'node:fs';", /no file system/],
  ['lambdas/core/cutover/x.ts', "import { S3ArtifactStore } from '../../adapters/aws/s3-artifact-store';", /adapters/],
  ['lambdas/contract/x.ts', "import { z } from 'zod';", /import nothing/],
  ['lambdas/workflow/catalogue.ts', "import { InputInvalidError } from '../core/errors';", /import nothing/],
  ['lib/x.ts', "import { InputInvalidError } from '../lambdas/core/errors';", /only lambdas\/contract/],
  ['lib/x.ts', "import { handler } from '../lambdas/tasks/report/handler';", /only lambdas\/contract/],
  ['lambdas/adapters/aws/x.ts', "import { FsArtifactStore } from '../local/fs-artifact-store';", /never use the local/],
  [
    'lambdas/tasks/shared/x.ts',
    "import { FileCutoverSwitch } from '../../adapters/local/file-cutover-switch';",
    /never use the local/,
  ],
  [
    'lambdas/tasks/fence-producers/handler.ts',
    "import { LOCAL_SWITCHES } from '../../adapters/local/registry';",
    /never use the local/,
  ],
  ['lambdas/tasks/report/handler.ts', "import { localStates } from '../../runtime/local';", /never use the local/],
  ['lambdas/runtime/aws.ts', "import { localPorts } from './local';", /never use the local/],
  [
    'lambdas/runtime/aws-clusters.ts',
    "import { MemoryMigrationLocks } from '../adapters/local/memory-migration-locks';",
    /never use the local/,
  ],
];

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ['lib/x.ts', "import { TASK_ENV } from '../lambdas/contract';"],
  ['lib/x.ts', "import { FUNCTIONS } from '../lambdas/workflow/catalogue';"],
  ['lib/x.ts', "import type { SecurityMapping } from '../lambdas/core/security-mapping/model';"],
  ['lambdas/contract/index.ts', "export * from './env';\nimport { TAG_EXECUTION } from './names';"],
  ['lambdas/core/x.ts', "import { TAG_EXECUTION } from '../contract/names';"],
  ['lambdas/adapters/aws/x.ts', "import type { ArtifactStore } from '../../ports/artifact-store';"],
  ['lambdas/runtime/local.ts', "import { MemoryMigrationLocks } from '../adapters/local/memory-migration-locks';"],
  ['lambdas/tasks/report/handler.ts', "import { awsTaskHandler } from '../../runtime/aws';"],
];

describe('layer rules', () => {
  it('refuses each import across a layer boundary, and allows the imports the layers are meant to make', () => {
    // Act
    const messages = restrictedImports([...REFUSED, ...ALLOWED].map(([file, code]) => [file, code] as const));
    // Assess
    const refused = REFUSED.map(([file, code], i) => [file, code, messages[i]]);
    expect(refused).toEqual(REFUSED.map(([file, code, message]) => [file, code, [expect.stringMatching(message)]]));
    const allowed = ALLOWED.map(([file, code], i) => [file, code, messages[REFUSED.length + i]]);
    expect(allowed).toEqual(ALLOWED.map(([file, code]) => [file, code, []]));
  });
});
