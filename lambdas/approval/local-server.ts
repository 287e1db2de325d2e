import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler, HttpRequest, IamCaller } from './http';
import { verifySigV4, type LocalIamCredential } from './sigv4';

/**
 * The approval endpoint on node:http: the same handler the Lambda runs, for tests and the local rehearsal.
 * Loopback only by default.
 */

/**
 * The local stand-in for API Gateway's AWS_IAM authorization on the operator route. IAM resolves an access key to
 * its principal; here a fixed credential set says which principal each test access key is. A request to an IAM
 * route is verified (SigV4 over the signed headers, path, query and body; scope, skew and session token) and refused
 * with 403 `{"message":"Forbidden"}` before the handler when it is unsigned or the signature is wrong, as API
 * Gateway does; a verified one reaches the handler with `iamCaller` set to that principal. No header is ever read
 * as an identity. What this does not model: IAM policy evaluation (`execute-api:Invoke` on the route), which the
 * offline IAM simulation tests (test/infra/approval-operator-iam.test.ts).
 */
export interface LocalIamAuthorization {
  readonly credentials: readonly LocalIamCredential[];
  /** The Region signatures must be scoped to. @default 'us-east-1' */
  readonly region?: string;
  /** The paths with AWS_IAM authorization. @default /^\/operator\// */
  readonly routes?: RegExp;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface ApprovalServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Bodies above this are refused with 413 before the handler sees them. @default 128 KiB */
  readonly maxBodyBytes?: number;
  /** SigV4 verification on the IAM routes. @default - none: every IAM route answers 403, as unsigned in AWS */
  readonly iam?: LocalIamAuthorization;
}

export interface ApprovalServer {
  /** `http://127.0.0.1:<port>` (no trailing slash): the base URL for links. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'TOO_LARGE'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'TOO_LARGE' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function authorize(
  iam: LocalIamAuthorization | undefined,
  method: string,
  path: string,
  rawQuery: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
): Promise<IamCaller | undefined> {
  if (!iam) return undefined;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) defined[name] = value;
  const verdict = await verifySigV4(
    { method: method.toUpperCase(), host: defined.host ?? '', path, query, headers: defined, body },
    iam.credentials,
    { region: iam.region ?? 'us-east-1', now: (iam.now ?? (() => new Date()))() },
  );
  return verdict.valid ? verdict.caller : undefined;
}

/** RFC 3986 path characters (pchar and `/`; the query also `?`), `%` only as the start of a two-digit escape. */
const PATH = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*`;
const QUERY = String.raw`(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*`;
/** Origin-form (RFC 9112 §3.2.1): an absolute path, never starting with `//` (URL parsers read that as a host). */
const ORIGIN_FORM = new RegExp(String.raw`^/(?!/)${PATH}(?:\?${QUERY})?$`);

/**
 * The request target as a URL: origin-form (`/approvals/…?r=…`) or an absolute http(s) URL (RFC 9112 §3.2.2);
 * `undefined` for anything else (`//`, `//[`, `*`, a port out of range, a broken `%` escape), which is the client's
 * error and answered 400, never 500.
 */
function requestTarget(raw: string): URL | undefined {
  try {
    if (raw.startsWith('/')) return ORIGIN_FORM.test(raw) ? new URL(`http://local${raw}`) : undefined;
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return ORIGIN_FORM.test(`${url.pathname}${url.search}`) ? url : undefined;
  } catch {
    return undefined;
  }
}

export async function startApprovalServer(
  handler: HttpHandler,
  options: ApprovalServerOptions = {},
): Promise<ApprovalServer> {
  const limit = options.maxBodyBytes ?? 128 * 1024;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req, limit);
        if (body === 'TOO_LARGE') {
          res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('Too large.');
          return;
        }
        const url = requestTarget(req.url ?? '');
        if (!url) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed request target.');
          return;
        }
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(req.headers))
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
        let iamCaller: IamCaller | undefined;
        if ((options.iam?.routes ?? /^\/operator\//).test(url.pathname)) {
          iamCaller = await authorize(options.iam, req.method ?? 'GET', url.pathname, rawQuery, headers, body);
          if (!iamCaller) {
            res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
            return;
          }
        }
        const request: HttpRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: url.pathname,
          rawQuery,
          headers,
          rawBody: body,
          ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
          ...(iamCaller ? { iamCaller } : {}),
        };
        const response = await handler(request);
        res.writeHead(response.statusCode, response.headers).end(response.body);
      } catch (err) {
        // Same as API Gateway in front of a failed Lambda: no detail leaks to the caller.
        console.error('approval endpoint error', (err as Error).message);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error.');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
