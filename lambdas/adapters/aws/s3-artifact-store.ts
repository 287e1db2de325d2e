import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AuthFailedError, TransientError, UnreachableError } from '../../core/errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import { toMigrationError } from './msk-provisioner';

export interface S3ArtifactStoreOptions {
  /** Keys asked per ListObjectsV2 page (S3 returns at most 1,000). @default 1000 */
  readonly pageSize?: number;
  /** Pages read at most by `list` before it refuses (a bound, not a limit anyone should reach). @default 100 */
  readonly maxPages?: number;
}

/**
 * Throttling and 5xx become Migration.Transient (the state machine retries), refused credentials Migration.AuthFailed;
 * anything else (NoSuchBucket: a deployment mistake) is thrown as S3 named it, with the object in the message.
 */
function storeError(err: unknown, what: string): unknown {
  const mapped = toMigrationError(err, what, UnreachableError);
  if (mapped instanceof TransientError || mapped instanceof AuthFailedError) return mapped;
  if (err instanceof Error) err.message = `${what} failed: ${err.message}`;
  return err;
}

/** The artifact store in AWS: one S3 bucket (the orchestrator's evidence bucket: versioned, encrypted, retained). */
export class S3ArtifactStore implements ArtifactStore {
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3ArtifactStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.maxPages = options.maxPages ?? 100;
  }

  private locator(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async putText(key: string, body: string, contentType: string): Promise<string> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (err) {
      throw storeError(err, `PutObject ${this.locator(key)}`);
    }
    return this.locator(key);
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body ? await out.Body.transformToString('utf-8') : '';
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === 'NoSuchKey') return undefined;
      throw storeError(err, `GetObject ${this.locator(key)}`);
    }
  }

  putJson(key: string, value: unknown): Promise<string> {
    return this.putText(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
  }

  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.locator(key)} is not JSON (${(err as Error).message}); it was not written by putJson.`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < this.maxPages; page += 1) {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(this.pageSize !== 1000 ? { MaxKeys: this.pageSize } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (err) {
        throw storeError(err, `ListObjectsV2 ${this.locator(prefix)}`);
      }
      for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
      if (!out.IsTruncated || !out.NextContinuationToken) return keys.sort();
      token = out.NextContinuationToken;
    }
    throw new Error(`More than ${this.maxPages} pages of artifacts under ${this.locator(prefix)}; narrow the prefix.`);
  }
}
