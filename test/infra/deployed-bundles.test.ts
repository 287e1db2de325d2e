import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../lib/handler-bundles';
import { taskEntry, TASK_NAMES } from '../../lib/migration-orchestrator';

/**
 * What the deployed functions bundle, read from esbuild's metafile with the settings of the real synth
 * (lib/handler-bundles.ts): no module of the local runtime (lambdas/adapters/local/, the rehearsal) reaches AWS. The
 * cutover functions take their switches and fences from the AWS registries (lambdas/tasks/shared/cutover-switch.ts,
 * write-fence.ts), so the rehearsal's file pointer is not in them.
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
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const name = path.basename(out, '.js');
    // Project modules only: the packages are not what this test is about.
    if (out.endsWith('.js'))
      modules.set(
        name,
        Object.keys(meta.inputs).filter((f) => f.startsWith('lambdas/')),
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
          'lambdas/tasks/shared/cutover-switch.ts',
          'lambdas/adapters/aws/cutover-switch-ssm.ts',
          'lambdas/adapters/aws/cutover-switch-route53.ts',
          'lambdas/adapters/aws/cutover-switch-hook.ts',
        ]),
      );
      expect(inputs).not.toContain('lambdas/adapters/local/file-cutover-switch.ts');
    },
  );
});
