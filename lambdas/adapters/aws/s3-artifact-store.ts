import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ArtifactStore } from '../../ports/artifact-store';

const MAX_LIST_PAGES = 100;

/** The artifact store in AWS: one S3 bucket (the orchestrator's evidence bucket: versioned, encrypted, retained). */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  private locator(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async putText(key: string, body: string, contentType: string): Promise<string> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    return this.locator(key);
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToString('utf-8') : '';
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  putJson(key: string, value: unknown): Promise<string> {
    return this.putText(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
      if (!out.IsTruncated || !out.NextContinuationToken) return keys.sort();
      token = out.NextContinuationToken;
    }
    throw new Error(`More than ${MAX_LIST_PAGES} pages of artifacts under ${prefix}; narrow the prefix.`);
  }
}
