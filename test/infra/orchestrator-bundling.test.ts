import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { taskEntry, TASK_NAMES } from '../../lib/migration-orchestrator';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';

const ROOT = path.join(__dirname, '../..');

/**
 * The real synth: every task whose handler exists is bundled by esbuild (as `cdk synth` does); a handler not yet
 * written gets the placeholder through `codeFor`, so this test keeps proving the bundles of the others meanwhile.
 */
describe('MigrationStack with esbuild bundling', () => {
  jest.setTimeout(15 * 60_000);

  it('bundles every task handler that exists into an S3 asset', () => {
    const written = TASK_NAMES.filter((name) => fs.existsSync(path.join(ROOT, taskEntry(name))));
    const app = new App();
    const stack = new MigrationStack(app, 'Bundled', {
      env: { account: '111122223333', region: 'eu-west-1' },
      orchestrator: {
        codeFor: (name, entry) => (written.includes(name) ? undefined : TaskFunction.placeholderCode(entry)),
      },
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Code: { S3Key?: string; ZipFile?: string } } }
    >;
    for (const name of written.filter((n) => n !== 'RequestApproval')) {
      const id = stack.getLogicalId(stack.orchestrator.functions[name].node.defaultChild as never);
      expect({ name, bundled: functions[id]?.Properties.Code.S3Key !== undefined }).toEqual({ name, bundled: true });
    }
    expect(written.length).toBeGreaterThan(10);
  });
});
