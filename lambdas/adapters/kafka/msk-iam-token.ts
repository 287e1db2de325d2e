import { KafkaClient } from '@aws-sdk/client-kafka';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../aws/node-sha256';

/**
 * MSK IAM authentication's token (SASL/OAUTHBEARER): a SigV4-presigned `GET https://kafka.<region>.amazonaws.com/
 * ?Action=kafka-cluster:Connect` (service `kafka-cluster`, valid 15 minutes or until the credentials expire), with a
 * `User-Agent` parameter added after signing, as base64url without padding. The broker checks the signature and the
 * caller's `kafka-cluster:Connect` permission.
 *
 * The token aws-msk-iam-sasl-signer-js generates, made here with the SDK's signer (already in every data-plane
 * function) and the credentials of the function's SDK clients: that package also brings an STS client (for a debug
 * log) and the SDK's whole set of credential providers, ≈ 90 KB of each data-plane bundle. test/unit/msk-iam-token.test.ts
 * holds the two tokens equal.
 */

export interface MskIamToken {
  readonly token: string;
  /** When the token expires, ms since the epoch. */
  readonly expiryTime: number;
}

export interface MskIamCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** What MSK accepts at most, and what a token is given unless the credentials expire sooner. */
const TOKEN_SECONDS = 900;
/** Sent as the token's `User-Agent` parameter (MSK logs it; not signed). */
export const MSK_IAM_USER_AGENT = 'msk-migration';

/** The token for `region`'s MSK brokers, signed with `credentials` at `now`. */
export async function mskIamToken(
  region: string,
  credentials: MskIamCredentials,
  now: Date = new Date(),
): Promise<MskIamToken> {
  if (!region) throw new Error('MSK IAM token: the region is empty.');
  if (!credentials.accessKeyId || !credentials.secretAccessKey)
    throw new Error('MSK IAM token: the credentials have no access key id or no secret.');
  const signedAt = Math.floor(now.getTime() / 1000) * 1000;
  const seconds = credentials.expiration
    ? Math.min(Math.floor((credentials.expiration.getTime() - signedAt) / 1000), TOKEN_SECONDS)
    : TOKEN_SECONDS;
  if (seconds <= 0) throw new Error('MSK IAM token: the credentials have expired.');
  const hostname = `kafka.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'kafka-cluster',
    region,
    credentials,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname },
      query: { Action: 'kafka-cluster:Connect' },
    },
    { expiresIn: seconds, signingDate: new Date(signedAt) },
  );
  const query: Record<string, string> = { 'User-Agent': MSK_IAM_USER_AGENT };
  for (const [key, value] of Object.entries(signed.query ?? {})) if (typeof value === 'string') query[key] = value;
  const queryString = Object.keys(query)
    .sort()
    .map((key) => `${escapeUri(key)}=${escapeUri(query[key] ?? '')}`)
    .join('&');
  const url = `https://${hostname}/?${queryString}`;
  return { token: Buffer.from(url, 'utf8').toString('base64url'), expiryTime: signedAt + seconds * 1000 };
}

let sdkCredentials: (() => Promise<MskIamCredentials>) | undefined;

/**
 * Tokens signed with the SDK's default credential chain (in Lambda, the function's role), resolved, cached and
 * refreshed as the function's SDK clients do it: the chain of an MSK client's configuration, made once per container.
 */
export async function mskIamTokenFromDefaultCredentials(region: string): Promise<MskIamToken> {
  if (!sdkCredentials) {
    const client = new KafkaClient({ region });
    sdkCredentials = () => client.config.credentials();
  }
  return mskIamToken(region, await sdkCredentials());
}

/** RFC 3986 percent-encoding, as SigV4 and the token's URL use it. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
