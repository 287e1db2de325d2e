import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `npm test` sets itself up on a fresh clone (#13): its pretest step (scripts/test-setup.sh) fetches the Kafka jars
 * and builds the AWS emulator's venv, and leaves them alone when they are there; Chromium, a system package, gets a
 * one-line hint. The benches that start brokers fetch the jars as `rehearse` does.
 */

const ROOT = path.join(__dirname, '..', '..');
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const setup = (env: Record<string, string> = {}): string =>
  execFileSync('bash', [path.join(ROOT, 'scripts/test-setup.sh')], {
    cwd: ROOT,
    // The skip switch a developer may have exported would make every case below a no-op: the script runs for real.
    env: { ...process.env, MSK_MIGRATION_SKIP_TEST_SETUP: '', ...env },
    encoding: 'utf8',
  });

describe('npm test set-up', () => {
  jest.setTimeout(120_000);

  it('runs scripts/test-setup.sh before the tiers, and the broker benches fetch the jars first', () => {
    expect(scripts.pretest).toBe('bash scripts/test-setup.sh');
    // Every script whose program starts brokers (the Kafka harness, or a local rehearsal on it), found by its imports.
    const startsBrokers = Object.entries(scripts)
      .filter(([, script]) => {
        const program = /\btsx (\S+\.ts)/.exec(script)?.[1];
        if (!program) return false;
        const source = readFileSync(path.join(ROOT, program), 'utf8');
        return /from '\.\.\/rehearsal\/(run-rehearsal|kafka\/cluster)'/.test(source);
      })
      .map(([name]) => name);
    expect(startsBrokers).toEqual(
      expect.arrayContaining(['bench:gate', 'bench:inventory', 'bench:restarts', 'bench:cutover', 'rehearse:repeat']),
    );
    for (const bench of [...new Set([...startsBrokers, 'rehearse'])])
      expect({ bench, script: scripts[bench] }).toEqual({
        bench,
        script: expect.stringMatching(/^bash rehearsal\/kafka\/fetch-jars\.sh >&2 && /),
      });
  });

  it('leaves the jars and the emulator alone when they are there', () => {
    // Act (the jars and the venv are in place: this suite runs after the pretest)
    const out = setup();

    // Assess
    expect(out).toMatch(/^fetch-jars: Kafka \S+ already in jars\/\S+ \(\d+ jars\), nothing to do$/m);
    expect(out).toMatch(/^AWS emulator: moto\S* already in \.venv\/aws-emulator$/m);
  });

  it('says in one line how to install Chromium when the browser tests cannot find it', () => {
    const out = setup({ MSK_MIGRATION_CHROMIUM: '/nonexistent/chromium' });

    expect(out.split('\n').filter((l) => l.includes('Chromium'))).toEqual([
      'test-setup: no Chromium at /nonexistent/chromium: the approval page and report tests (integration tier) will fail; install it with .ci/install-chromium (apt-get install chromium, needs root).',
    ]);
  });
});
