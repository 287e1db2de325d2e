import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

/**
 * A private PKI for the harness's TLS listeners, made with node:crypto alone (no openssl, no keytool): a CA, server
 * certificates for 127.0.0.1 / localhost and client certificates for mTLS, all ECDSA P-256 with SHA-256, in PEM (keys
 * PKCS#8, as Kafka's PEM stores and the plan's secrets take them). Node can sign but not build X.509, so the DER of
 * the certificates is written here: the few structures RFC 5280 needs, nothing more.
 */

export interface CertifiedKey {
  /** The certificate, PEM. */
  readonly certificate: string;
  /** Its private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`). */
  readonly privateKey: string;
  /** The subject's common name. */
  readonly commonName: string;
}

export interface CertificateAuthority extends CertifiedKey {
  /** A server certificate for these names (IPv4 addresses go in as IP SANs), serverAuth and clientAuth. */
  issueServer(commonName: string, names?: readonly string[]): CertifiedKey;
  /** A client certificate (mTLS), clientAuth. */
  issueClient(commonName: string): CertifiedKey;
}

// ---- DER ----

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const octets = (content: Buffer): Buffer => tlv(0x04, content);
const bits = (content: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), content]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const TRUE = tlv(0x01, Buffer.from([0xff]));

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && (v[1] as number) < 0x80) v = v.subarray(1);
  return tlv(0x02, (v[0] as number) >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime (years 1950–2049), as RFC 5280 asks for dates before 2050. */
function utcTime(date: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const name = (commonName: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  sequence(oid(id), ...(critical ? [TRUE] : []), octets(value));

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function subjectAltNames(names: readonly string[]): Buffer {
  return sequence(
    ...names.map((n) =>
      isIPv4(n) ? tlv(0x87, Buffer.from(n.split('.').map(Number))) : tlv(0x82, Buffer.from(n, 'ascii')),
    ),
  );
}

interface Issue {
  readonly subject: string;
  readonly publicKey: KeyObject;
  readonly issuer: string;
  readonly issuerKey: KeyObject;
  readonly ca: boolean;
  readonly usages: readonly string[];
  readonly names: readonly string[];
}

function certificate(issue: Issue): string {
  const now = Date.now();
  const extensions = [
    extension('2.5.29.19', true, issue.ca ? sequence(TRUE) : sequence()),
    // keyUsage: keyCertSign + cRLSign for the CA, digitalSignature (ECDHE) for the others.
    extension('2.5.29.15', true, issue.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7)),
    ...(issue.usages.length > 0 ? [extension('2.5.29.37', false, sequence(...issue.usages.map(oid)))] : []),
    ...(issue.names.length > 0 ? [extension('2.5.29.17', false, subjectAltNames(issue.names))] : []),
  ];
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_WITH_SHA256,
    name(issue.issuer),
    // Valid from an hour ago (clock skew between the JVM and Node) for a day: the certificates live as long as a test.
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 24 * 3_600_000))),
    name(issue.subject),
    issue.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issue.issuerKey);
  const der = sequence(tbs, ECDSA_WITH_SHA256, bits(signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

const newKeyPair = (): { publicKey: KeyObject; privateKey: KeyObject } =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8 = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A new self-signed CA. */
export function createCertificateAuthority(commonName = 'msk-migration harness CA'): CertificateAuthority {
  const keys = newKeyPair();
  const caKey = keys.privateKey;
  const issueFor = (subject: string, usages: readonly string[], names: readonly string[]): CertifiedKey => {
    const pair = newKeyPair();
    return {
      commonName: subject,
      certificate: certificate({
        subject,
        publicKey: pair.publicKey,
        issuer: commonName,
        issuerKey: caKey,
        ca: false,
        usages,
        names,
      }),
      privateKey: pkcs8(pair.privateKey),
    };
  };
  return {
    commonName,
    certificate: certificate({
      subject: commonName,
      publicKey: keys.publicKey,
      issuer: commonName,
      issuerKey: caKey,
      ca: true,
      usages: [],
      names: [],
    }),
    privateKey: pkcs8(caKey),
    issueServer: (subject, names = ['127.0.0.1', 'localhost']) => issueFor(subject, [SERVER_AUTH, CLIENT_AUTH], names),
    issueClient: (subject) => issueFor(subject, [CLIENT_AUTH], []),
  };
}
