import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_OPTIONS, coldStartOf } from '../../lib/handler-bundles';
import { taskEntry, TASK_NAMES } from '../../lib/migration-orchestrator';

/**
 * What the deployed functions bundle, read from esbuild's metafile with the settings of the real synth
 * (lib/handler-bundles.ts): no module of the local runtime (lambdas/adapters/local/, the rehearsal) reaches AWS. The
 * cutover functions take their switches and fences from the AWS runtime's kinds (lambdas/tasks/shared/kinds/, each a
 * chunk loaded on first use), so the rehearsal's file pointer is not in them.
 */

const ROOT = path.join(__dirname, '../..');

function bundledModules(): Map<string, string[]> {
  const entries = TASK_NAMES.map((name) => [name, taskEntry(name)] as const).filter(([, entry]) =>
    fs.existsSync(path.join(ROOT, entry)),
  );
  const result = buildSync({
    ...BUNDLE_OPTIONS,
    external: [...BUNDLE_OPTIONS.external],
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    outExtension: { ...BUNDLE_OPTIONS.outExtension },
    minify: false,
    sourcemap: false,
    entryPoints: Object.fromEntries(entries.map(([name, entry]) => [name, path.join(ROOT, entry)])),
    outdir: path.join(ROOT, 'cdk.out', '.deployed-bundles-test'),
    absWorkingDir: ROOT,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const modules = new Map<string, string[]>();
  for (const out of Object.keys(result.metafile.outputs)) {
    // Each entry with every chunk it can load (its lazy adapters too); project modules only: the packages are not
    // what this test is about.
    if (entries.some(([name]) => out.endsWith(`/${name}.mjs`)))
      modules.set(
        path.basename(out, '.mjs'),
        coldStartOf(result.metafile, out).total.inputs.filter((f) => f.startsWith('lambdas/')),
      );
  }
  return modules;
}

describe('the deployed bundles', () => {
  jest.setTimeout(120_000);
  const modules = bundledModules();

  it('hold no module of the local runtime', () => {
    const local = [...modules].flatMap(([name, inputs]) =>
      inputs.filter((file) => file.startsWith('lambdas/adapters/local/')).map((file) => `${name}: ${file}`),
    );

    expect(local).toEqual([]);
    expect(modules.size).toBeGreaterThan(15);
  });

  it.each(['FenceProducers', 'SwitchToTarget', 'RollbackCutover'])(
    'give %s the AWS switches and fences, without the file pointer',
    (name) => {
      const inputs = modules.get(name) ?? [];

      expect(inputs).toEqual(
        expect.arrayContaining([
          'lambdas/tasks/shared/cutover-switch-kinds.ts',
          'lambdas/tasks/shared/kinds/pointer-ssm.ts',
          'lambdas/adapters/aws/cutover-switch-ssm.ts',
          'lambdas/adapters/aws/cutover-switch-route53.ts',
          'lambdas/adapters/aws/cutover-switch-hook.ts',
        ]),
      );
      expect(inputs).not.toContain('lambdas/adapters/local/file-cutover-switch.ts');
    },
  );
});
