import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../adapters/aws/node-sha256';
import type { IamCaller } from './http';

/**
 * AWS Signature Version 4 for the operator decision route (`execute-api`): the CLI signs with the caller's
 * credentials (the same algorithm and library as the AWS SDK), and the local approval server verifies with a fixed
 * test credential set, standing in for API Gateway's AWS_IAM authorization. In AWS only API Gateway verifies: the
 * function reads the caller from `requestContext.authorizer.iam`, never from a header.
 */

export const EXECUTE_API = 'execute-api';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignableRequest {
  readonly method: string;
  /** `https:` or `http:` */
  readonly protocol: string;
  /** Host name, with `:port` when not the default. */
  readonly host: string;
  /** The path as sent (already percent-encoded). */
  readonly path: string;
  readonly query?: Record<string, string | string[]>;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

function signerFor(credentials: AwsCredentials, region: string): SignatureV4 {
  // No x-amz-content-sha256 header: the payload hash is computed from the body, which is what the verifier checks.
  return new SignatureV4({ credentials, region, service: EXECUTE_API, sha256: NodeSha256, applyChecksum: false });
}

/** The request with its SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token` when a session). */
export async function signRequest(
  request: SignableRequest,
  credentials: AwsCredentials,
  region: string,
  signingDate: Date = new Date(),
): Promise<Record<string, string>> {
  const [hostname, port] = splitHost(request.host);
  const signed = await signerFor(credentials, region).sign(
    {
      method: request.method,
      protocol: request.protocol,
      hostname,
      ...(port ? { port } : {}),
      path: request.path,
      query: request.query ?? {},
      headers: { ...request.headers, host: request.host },
      body: request.body,
    },
    { signingDate },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = String(value);
  return out;
}

function splitHost(host: string): [string, number | undefined] {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return match ? [match[1] ?? host, match[2] ? Number(match[2]) : undefined] : [host, undefined];
}

/** A test credential and the IAM principal it stands for (what IAM would resolve its access key to). */
export interface LocalIamCredential extends AwsCredentials {
  /** `arn:aws:iam::ACCT:user/NAME` or `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`. */
  readonly userArn: string;
  readonly accountId: string;
}

export interface SigV4VerifyOptions {
  readonly region: string;
  readonly now: Date;
  /** AWS accepts a signature within 15 minutes of its X-Amz-Date. */
  readonly maxSkewMs?: number;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export type SigV4Verdict =
  { readonly valid: true; readonly caller: IamCaller } | { readonly valid: false; readonly why: string };

/**
 * Verifies a request's SigV4 signature the way API Gateway does for an AWS_IAM route: the credential scope names
 * this Region and execute-api, the access key is known, the date is within the skew, the session token matches,
 * `host` and `x-amz-date` are signed, and the signature recomputed over the signed headers, path, query and body
 * matches. Only then is the caller the principal the access key belongs to.
 */
export async function verifySigV4(
  request: Omit<SignableRequest, 'protocol'>,
  credentials: readonly LocalIamCredential[],
  options: SigV4VerifyOptions,
): Promise<SigV4Verdict> {
  const auth = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!auth) return { valid: false, why: 'no AWS4-HMAC-SHA256 Authorization header' };
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = auth as unknown as string[];
  if (region !== options.region || service !== EXECUTE_API)
    return { valid: false, why: `credential scope is ${region}/${service}, not ${options.region}/${EXECUTE_API}` };
  const credential = credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) return { valid: false, why: 'unknown access key' };
  const date = AMZ_DATE.exec(request.headers['x-amz-date'] ?? '');
  if (!date) return { valid: false, why: 'no X-Amz-Date' };
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (scopeDate !== (request.headers['x-amz-date'] ?? '').slice(0, 8))
    return { valid: false, why: 'credential scope date differs from X-Amz-Date' };
  if (Math.abs(options.now.getTime() - signingDate.getTime()) > (options.maxSkewMs ?? 15 * 60_000))
    return { valid: false, why: 'signature expired (X-Amz-Date too far from now)' };
  const signedHeaders = (signedHeaderList ?? '').split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
    return { valid: false, why: 'host and x-amz-date must be signed' };
  if (credential.sessionToken !== undefined) {
    if (request.headers['x-amz-security-token'] !== credential.sessionToken)
      return { valid: false, why: 'session token missing or wrong' };
  } else if (request.headers['x-amz-security-token'] !== undefined) {
    return { valid: false, why: 'session token given for long-term credentials' };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { valid: false, why: `signed header ${name} is absent` };
    headers[name] = value;
  }
  // The signer would take a declared payload hash on trust; the body must be what was signed.
  const declared = request.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== createHash('sha256').update(request.body).digest('hex'))
    return { valid: false, why: 'x-amz-content-sha256 does not match the body' };
  const recomputed = await signRequest(
    { ...request, protocol: 'https:', headers, host: headers.host ?? request.host },
    credential,
    options.region,
    signingDate,
  );
  const expected = AUTHORIZATION.exec(recomputed.authorization ?? '');
  const ok =
    expected !== null &&
    expected[5] === signedHeaderList &&
    timingSafeEqual(Buffer.from(expected[6] ?? '', 'hex'), Buffer.from(signature ?? '', 'hex'));
  if (!ok) return { valid: false, why: 'signature does not match' };
  return {
    valid: true,
    caller: { userArn: credential.userArn, accountId: credential.accountId, accessKey: credential.accessKeyId },
  };
}
