import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler, HttpRequest } from './http';

/**
 * The approval endpoint on node:http: the same handler the Lambda runs, for tests and the local rehearsal.
 * Loopback only by default.
 */

export interface ApprovalServerOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Bodies above this are refused with 413 before the handler sees them. @default 128 KiB */
  readonly maxBodyBytes?: number;
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
        const url = new URL(req.url ?? '/', 'http://local');
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(req.headers))
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        const request: HttpRequest = {
          method: (req.method ?? 'GET').toUpperCase(),
          path: url.pathname,
          rawQuery: url.search.startsWith('?') ? url.search.slice(1) : url.search,
          headers,
          rawBody: body,
          ...(req.socket.remoteAddress ? { sourceIp: req.socket.remoteAddress } : {}),
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
