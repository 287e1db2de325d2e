import { startMotoServer, type MotoServer } from './emulator/moto-server';

describe('the AWS emulator harness', () => {
  it('fails with the services at stake, the port and the server’s last lines when moto cannot start, and leaves nothing running', async () => {
    // Act
    const failure = startMotoServer({ services: ['DynamoDB'], extraArgs: ['--no-such-flag'] });

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'EmulatorUnavailableError',
      message: expect.stringMatching(
        /moto server, for DynamoDB\) exited with 2 before answering on http:\/\/127\.0\.0\.1:\d+\. Last lines:\n[\s\S]*unrecognized arguments: --no-such-flag/,
      ),
    });
  }, 45_000);

  describe('a started server', () => {
    let server: MotoServer;

    beforeAll(async () => {
      server = await startMotoServer({ services: ['moto API'] });
    }, 45_000);

    afterAll(async () => {
      await server?.stop();
    });

    it('answers on a loopback port and stops by its PID', async () => {
      expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
      const before = await fetch(`${server.endpoint}/moto-api/data.json`);
      expect(before.ok).toBe(true);

      await server.stop();

      expect(() => process.kill(server.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      await expect(fetch(`${server.endpoint}/moto-api/data.json`)).rejects.toThrow();
    });
  });
});
