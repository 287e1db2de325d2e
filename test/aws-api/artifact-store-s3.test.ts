import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';
import { artifactKey } from '../../lambdas/ports/artifact-store';
import { countRequests, emulatorS3Config } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

describe('S3ArtifactStore against the S3 API (moto server)', () => {
  let server: MotoServer;
  let s3: S3Client;
  const bucket = 'evidence';

  beforeAll(async () => {
    server = await startMotoServer();
    s3 = new S3Client(emulatorS3Config(server));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The orchestrator's evidence bucket is versioned: an overwrite keeps the earlier evidence.
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  afterAll(async () => {
    s3?.destroy();
    await server?.stop();
  });

  it('writes a JSON document and reads the same value back, with its content type and an s3:// locator', async () => {
    // Prepare
    const store = new S3ArtifactStore(s3, bucket);
    const key = artifactKey('m-1', 'exec-1', 'inventory.json');
    const inventory = { topics: [{ name: 'orders', partitions: 12 }], groups: ['billing'], note: 'naïve → ✓' };

    // Act
    const locator = await store.putJson(key, inventory);
    const back = await store.getJson(key);

    // Assess
    expect(locator).toBe(`s3://${bucket}/${key}`);
    expect(back).toEqual(inventory);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentType).toBe('application/json');
  });

  it('writes Markdown as UTF-8 text with the content type it is given', async () => {
    const store = new S3ArtifactStore(s3, bucket);
    const key = artifactKey('m-1', 'exec-1', 'report.md');
    const report = '# Migration report\n\n| gate | result |\n| --- | --- |\n| lag | ✅ 0 records |\n';

    await store.putText(key, report, 'text/markdown; charset=utf-8');

    await expect(store.getText(key)).resolves.toBe(report);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentType).toBe('text/markdown; charset=utf-8');
  });

  it('returns undefined for a key with no object, for JSON and for text', async () => {
    const store = new S3ArtifactStore(s3, bucket);

    await expect(store.getJson('migrations/m-1/exec-1/absent.json')).resolves.toBeUndefined();
    await expect(store.getText('migrations/m-1/exec-1/absent.md')).resolves.toBeUndefined();
  });

  it('keeps the earlier version when a document is overwritten and reads the latest', async () => {
    const store = new S3ArtifactStore(s3, bucket);
    const key = artifactKey('m-1', 'exec-1', 'gate.json');

    await store.putJson(key, { evaluation: 1 });
    await store.putJson(key, { evaluation: 2 });

    await expect(store.getJson(key)).resolves.toEqual({ evaluation: 2 });
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    expect(versions.Versions?.filter((v) => v.Key === key)).toHaveLength(2);
  });

  it('refuses to parse an object under a JSON key that is not JSON, naming the object', async () => {
    const store = new S3ArtifactStore(s3, bucket);
    const key = artifactKey('m-1', 'exec-1', 'broken.json');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"half":' }));

    await expect(store.getJson(key)).rejects.toThrow(`s3://${bucket}/${key} is not JSON`);
  });

  it('throws the error S3 names, with the bucket in the message, when the bucket does not exist', async () => {
    const store = new S3ArtifactStore(s3, 'no-such-evidence-bucket');

    const failure = store.putJson('k.json', {}).catch((err: Error) => err);

    await expect(failure).resolves.toMatchObject({
      name: 'NoSuchBucket',
      message: expect.stringContaining('PutObject s3://no-such-evidence-bucket/k.json failed'),
    });
  });

  describe('listing a prefix', () => {
    const prefix = 'migrations/m-big/exec-1/evaluations/';
    const total = 1_003;

    beforeAll(async () => {
      const keys = Array.from({ length: total }, (_, i) => `${prefix}${String(i).padStart(5, '0')}.json`);
      // Written straight with the client, 50 at a time: the store's own put is covered above.
      for (let i = 0; i < keys.length; i += 50) {
        await Promise.all(
          keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '{}' }))),
        );
      }
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'migrations/m-big/exec-2/other.json', Body: '{}' }));
    }, 60_000);

    it('returns every key past the 1,000 that one S3 page holds, sorted, and nothing outside the prefix', async () => {
      const client = new S3Client(emulatorS3Config(server));
      const requests = countRequests(client);
      const store = new S3ArtifactStore(client, bucket);

      const keys = await store.list(prefix);

      expect(requests.get('ListObjectsV2Command')).toBe(2);
      expect(keys).toHaveLength(total);
      expect(keys[0]).toBe(`${prefix}00000.json`);
      expect(keys[total - 1]).toBe(`${prefix}01002.json`);
      expect([...keys].sort()).toEqual(keys);
      expect(new Set(keys).size).toBe(total);
    });

    it('follows the continuation tokens S3 hands out when pages are small', async () => {
      const client = new S3Client(emulatorS3Config(server));
      const requests = countRequests(client);
      const store = new S3ArtifactStore(client, bucket, { pageSize: 100 });

      const keys = await store.list(prefix);

      expect(requests.get('ListObjectsV2Command')).toBe(11);
      expect(keys).toHaveLength(total);
      expect(new Set(keys).size).toBe(total);
    });

    it('refuses a prefix that needs more pages than its bound instead of returning a partial list', async () => {
      const store = new S3ArtifactStore(s3, bucket, { pageSize: 100, maxPages: 3 });

      await expect(store.list(prefix)).rejects.toThrow(`More than 3 pages of artifacts under s3://${bucket}/${prefix}`);
    });

    it('returns an empty list for a prefix with no objects', async () => {
      await expect(new S3ArtifactStore(s3, bucket).list('migrations/none/')).resolves.toEqual([]);
    });
  });
});
