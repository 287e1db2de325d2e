import { assertConnected, describeCheck, type ConnectivityCheck } from '../../lambdas/core/connectivity/preflight';

const check = (stages: ConnectivityCheck['stages']): ConnectivityCheck => ({
  cluster: 'target',
  bootstrapServers: ['automq-0:9093', 'automq-1:9093'],
  stages,
});
const ok = (stage: 'TCP' | 'TLS' | 'AUTH' | 'METADATA') => ({
  stage,
  passed: true,
  endpoint: 'automq-0:9093',
  detail: 'ok',
});

describe('the connectivity preflight verdict', () => {
  it('passes when every stage of every cluster passed', () => {
    // Act and Assess
    expect(() => assertConnected([check([ok('TCP'), ok('TLS'), ok('AUTH'), ok('METADATA')])])).not.toThrow();
  });

  it.each([
    ['TCP', 'Migration.Unreachable'],
    ['TLS', 'Migration.Unreachable'],
    ['AUTH', 'Migration.AuthFailed'],
    ['METADATA', 'Migration.AuthFailed'],
  ] as const)('names the cluster, host:port and the stage when %s broke (%s)', (stage, errorName) => {
    // Prepare
    const order = ['TCP', 'TLS', 'AUTH', 'METADATA'] as const;
    const before = order.slice(0, order.indexOf(stage)).map(ok);
    const failed = { stage, passed: false, endpoint: 'automq-1:9093', detail: 'what the broker said' };

    // Act
    let thrown: (Error & { details?: Record<string, unknown> }) | undefined;
    try {
      assertConnected([check([...before, failed])]);
    } catch (err) {
      thrown = err as Error;
    }

    // Assess
    expect(thrown?.name).toBe(errorName);
    expect(thrown?.message).toContain(`the target cluster failed at ${stage} on automq-1:9093: what the broker said`);
    expect(thrown?.message).toContain('Nothing was created');
    expect(thrown?.details).toMatchObject({ cluster: 'target', stage, endpoint: 'automq-1:9093' });
  });

  it('reports the first failing cluster, in the order given (source before target)', () => {
    // Prepare
    const source = {
      ...check([{ stage: 'TCP' as const, passed: false, endpoint: 'b-1:9098', detail: 'ECONNREFUSED' }]),
      cluster: 'source',
    };
    const target = check([{ stage: 'TLS' as const, passed: false, endpoint: 'automq-0:9093', detail: 'bad' }]);

    // Act and Assess
    expect(() => assertConnected([source, target])).toThrow(/the source cluster failed at TCP on b-1:9098/);
  });

  it('describes a check in one line for the logs', () => {
    // Act
    const line = describeCheck(
      check([ok('TCP'), { stage: 'TLS', passed: false, endpoint: 'automq-0:9093', detail: 'unknown CA' }]),
    );

    // Assess
    expect(line).toBe('target: TCP ok, TLS FAILED at automq-0:9093: unknown CA');
  });
});
