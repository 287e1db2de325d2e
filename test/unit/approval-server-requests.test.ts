import { connect } from 'node:net';
import { startApprovalServer, type ApprovalServer } from '../../lambdas/approval/local-server';

/**
 * The local approval server over a raw socket: a request target a URL parser cannot read is the client's error (400),
 * never an internal one (500); a well-formed one reaches the handler.
 */

let server: ApprovalServer;

beforeAll(async () => {
  server = await startApprovalServer(async (req) => ({ statusCode: 200, headers: {}, body: req.path }));
});

afterAll(async () => {
  await server.close();
});

/** Sends `request` as is and returns the status line. */
function statusLine(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

const get = (target: string): Promise<string> =>
  statusLine(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

describe('the local approval server', () => {
  it.each(['//', '//[', 'http://a:99999/', '*', '/approvals/%zz', 'mailto:a@example.com'])(
    'answers 400 to the malformed request target %s',
    async (target) => {
      // Act
      const line = await get(target);
      // Assess
      expect(line).toBe('HTTP/1.1 400 Bad Request');
    },
  );

  it('answers 400 to a request line or header it cannot parse', async () => {
    // Act
    const lines = await Promise.all([
      statusLine('GARBAGE\r\n\r\n'),
      statusLine('GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n'),
    ]);
    // Assess
    expect(lines).toEqual(['HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request']);
  });

  it('passes an origin-form or absolute http target to the handler', async () => {
    // Act
    const lines = await Promise.all([
      get('/approvals/a1?r=alice%40example.com&sig=x-_y'),
      get('http://a/approvals/a1'),
    ]);
    // Assess
    expect(lines).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  });
});
