import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';
import { SsmCutoverSwitch } from '../../lambdas/adapters/aws/cutover-switch-ssm';
import { describeArtifactStoreContract } from '../contracts/artifact-store';
import { describeCutoverSwitchContract } from '../contracts/cutover-switch';
import { emulatorClientConfig, emulatorS3Config } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

/**
 * The AWS adapters of the artifact store and the pointer run the same port contracts as the tests' fakes and the
 * local adapters (test/unit/port-contracts.test.ts), on the AWS emulator.
 */

let server: MotoServer;
let s3: S3Client;
let ssm: SSMClient;
let n = 0;

beforeAll(async () => {
  server = await startMotoServer();
  s3 = new S3Client(emulatorS3Config(server));
  ssm = new SSMClient(emulatorClientConfig(server));
});

afterAll(async () => {
  s3?.destroy();
  ssm?.destroy();
  await server?.stop();
});

describeArtifactStoreContract('S3ArtifactStore (AWS)', async () => {
  const bucket = `evidence-contract-${++n}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return new S3ArtifactStore(s3, bucket);
});

describeCutoverSwitchContract('SsmCutoverSwitch (AWS)', () => ({
  fresh: () => new SsmCutoverSwitch(ssm, `/msk-migration/contract/bootstrap-${++n}`),
  seed: async (value) => {
    const name = `/msk-migration/contract/bootstrap-${++n}`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String' }));
    return new SsmCutoverSwitch(ssm, name);
  },
}));
