import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileCutoverSwitch, writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import { FsArtifactStore } from '../../lambdas/adapters/local/fs-artifact-store';
import { describeArtifactStoreContract } from '../contracts/artifact-store';
import { describeCutoverSwitchContract } from '../contracts/cutover-switch';
import { MemorySwitch } from './cutover-fakes';
import { MemoryArtifacts } from './validation-fake-kafka';

/**
 * The artifact store and the pointer: the tests' in-memory fakes run the same port contracts as the local adapters
 * here and the AWS adapters on the emulator (test/aws-api/port-contracts.test.ts).
 */

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'port-contract-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describeArtifactStoreContract('MemoryArtifacts (the tests’ fake)', () => new MemoryArtifacts());
describeArtifactStoreContract('FsArtifactStore (the rehearsal)', () => new FsArtifactStore(freshDir()));

describeCutoverSwitchContract('MemorySwitch (the tests’ fake)', () => ({
  fresh: () => new MemorySwitch('memory:pointer', undefined),
  seed: async (value) => new MemorySwitch('memory:pointer', { value }),
}));
describeCutoverSwitchContract('FileCutoverSwitch (the rehearsal)', () => ({
  fresh: () => new FileCutoverSwitch(path.join(freshDir(), 'pointer.json')),
  seed: async (value) => {
    const file = path.join(freshDir(), 'pointer.json');
    writePointerFile(file, value);
    return new FileCutoverSwitch(file);
  },
}));
