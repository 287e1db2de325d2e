import { S3Client } from '@aws-sdk/client-s3';
import { S3ArtifactStore } from '../../adapters/aws/s3-artifact-store';
import { perContainer, requireEnv, type AwsPortFactory } from '../aws';

/** The evidence store: the S3 bucket ARTIFACT_BUCKET names. */
export const artifacts: AwsPortFactory = async (inv) =>
  new S3ArtifactStore(await perContainer('s3', async () => new S3Client({})), requireEnv(inv, 'ARTIFACT_BUCKET'));
