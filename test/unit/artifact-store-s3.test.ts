import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';

// Request shapes and error mapping; the behaviour against a real S3 API is in test/aws-api/artifact-store-s3.test.ts.
const s3 = mockClient(S3Client);
const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
    message: name,
  });

describe('S3ArtifactStore (request shapes and errors)', () => {
  beforeEach(() => {
    s3.reset();
  });

  it('asks for the configured page size and passes each continuation token back', async () => {
    // Prepare
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/2' }], IsTruncated: true, NextContinuationToken: 'next-1' })
      .resolves({ Contents: [{ Key: 'p/1' }], IsTruncated: false });
    const store = new S3ArtifactStore(new S3Client({}), 'evidence', { pageSize: 50 });

    // Act
    const keys = await store.list('p/');

    // Assess
    expect(keys).toEqual(['p/1', 'p/2']);
    expect(s3).toHaveReceivedNthCommandWith(1, ListObjectsV2Command, { Bucket: 'evidence', Prefix: 'p/', MaxKeys: 50 });
    expect(s3).toHaveReceivedNthCommandWith(2, ListObjectsV2Command, {
      Bucket: 'evidence',
      Prefix: 'p/',
      MaxKeys: 50,
      ContinuationToken: 'next-1',
    });
  });

  it('writes JSON with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});

    await new S3ArtifactStore(new S3Client({}), 'evidence').putJson('k.json', { a: 1 });

    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'evidence',
      Key: 'k.json',
      ContentType: 'application/json',
      Body: '{\n  "a": 1\n}\n',
    });
  });

  it('turns throttling and 5xx into Migration.Transient, so the state machine retries', async () => {
    s3.on(PutObjectCommand).rejectsOnce(s3Error('SlowDown', 503)).rejects(s3Error('InternalError', 500));
    const store = new S3ArtifactStore(new S3Client({}), 'evidence');

    await expect(store.putJson('k.json', {})).rejects.toMatchObject({ name: 'Migration.Transient' });
    await expect(store.putJson('k.json', {})).rejects.toMatchObject({ name: 'Migration.Transient' });
  });

  it('turns a refused request into Migration.AuthFailed, naming the object', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));

    await expect(new S3ArtifactStore(new S3Client({}), 'evidence').getText('k.md')).rejects.toMatchObject({
      name: 'Migration.AuthFailed',
      message: expect.stringContaining('GetObject s3://evidence/k.md'),
    });
  });
});
