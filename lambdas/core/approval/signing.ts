import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 signatures for the e-mail links and the confirmation form, and Slack's request signature (v0).
 * Deterministic and free of I/O (node:crypto only), so it belongs to the core; the key comes from Secrets Manager
 * through the caller.
 *
 * Two purposes, two labels: a link signature can never be replayed as a form token or the other way round.
 */

const LINK_LABEL = 'msk-migration/approval-link/v1';
const FORM_LABEL = 'msk-migration/approval-form/v1';
const MIN_KEY_LENGTH = 32;
/** Slack's documented replay window. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;
/** A confirmation page's form is good for this long (never past the link's own expiry). */
export const FORM_TOKEN_TTL_SECONDS = 30 * 60;

export interface LinkClaims {
  readonly approvalId: string;
  /** The e-mail address the link was sent to: the person who decides with it. */
  readonly recipient: string;
  /** Expiry, epoch seconds. */
  readonly expires: number;
}

export type SignatureCheck = 'VALID' | 'BAD_SIGNATURE' | 'EXPIRED';

function assertKey(key: string): void {
  if (key.length < MIN_KEY_LENGTH) {
    throw new Error(
      `The approval signing key is ${key.length} characters; at least ${MIN_KEY_LENGTH} are needed (Secrets Manager generates 64).`,
    );
  }
}

function mac(key: string, label: string, claims: LinkClaims): string {
  assertKey(key);
  return createHmac('sha256', key)
    .update(`${label}\n${claims.approvalId}\n${claims.recipient}\n${claims.expires}`)
    .digest('base64url');
}

/** Constant-time comparison of two ASCII strings (length is not secret: every signature has the same length). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

function check(expected: string, given: string, expires: number, nowSeconds: number): SignatureCheck {
  // The signature is checked before the expiry: a forged link is reported as forged even when its date is past.
  if (!safeEqual(expected, given)) return 'BAD_SIGNATURE';
  return nowSeconds >= expires ? 'EXPIRED' : 'VALID';
}

export function signLink(key: string, claims: LinkClaims): string {
  return mac(key, LINK_LABEL, claims);
}

export function verifyLink(key: string, claims: LinkClaims, signature: string, nowSeconds: number): SignatureCheck {
  return check(mac(key, LINK_LABEL, claims), signature, claims.expires, nowSeconds);
}

/** The confirmation form's token: bound to the approval ID, the recipient and its own short expiry. */
export function signForm(key: string, claims: LinkClaims): string {
  return mac(key, FORM_LABEL, claims);
}

export function verifyForm(key: string, claims: LinkClaims, token: string, nowSeconds: number): SignatureCheck {
  return check(mac(key, FORM_LABEL, claims), token, claims.expires, nowSeconds);
}

export function formExpiry(linkExpires: number, nowSeconds: number): number {
  return Math.min(linkExpires, nowSeconds + FORM_TOKEN_TTL_SECONDS);
}

export type SlackSignatureCheck = 'VALID' | 'MISSING_HEADERS' | 'STALE_TIMESTAMP' | 'BAD_SIGNATURE';

export interface SlackSignedRequest {
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  /** The body exactly as received, before any parsing. */
  readonly rawBody: Buffer;
}

/**
 * Slack's v0 scheme: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`). A timestamp more than five
 * minutes away from now (either way) is refused before any MAC is computed.
 */
export function verifySlackSignature(
  signingSecret: string,
  request: SlackSignedRequest,
  nowSeconds: number,
): SlackSignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0='))
    return 'MISSING_HEADERS';
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return 'STALE_TIMESTAMP';
  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
  return safeEqual(expected, signature) ? 'VALID' : 'BAD_SIGNATURE';
}

/** What a test (or a local Slack stand-in) sends: the same computation, from the signing side. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
