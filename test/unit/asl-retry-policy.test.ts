import { loadDefinition } from '../../rehearsal/asl-runner';

/**
 * The retry policy of the workflow (docs/runbook.md, "Retries"): every Task state retries the errors Lambda and Step
 * Functions raise for a transient fault — the service's own (`Lambda.ServiceException`, …), a function timeout or crash
 * (`Sandbox.Timedout`, `Lambda.Unknown`, `Lambda.ClientExecutionTimeoutException`) — and `Migration.Transient`, with a
 * backoff long enough to ride out a Kafka leader election: 5 s, 10 s, 20 s, 40 s, 60 s (135 s in all).
 */

const TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'Lambda.ClientExecutionTimeoutException',
  'Migration.Transient',
];

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
}

const tasks = Object.entries(loadDefinition().States).filter(([, s]) => s.Type === 'Task');

/** The pauses a retrier makes between attempts, as Step Functions computes them (no jitter). */
function pauses(r: Retrier): number[] {
  return Array.from({ length: r.MaxAttempts }, (_, i) =>
    Math.min(r.IntervalSeconds * r.BackoffRate ** i, r.MaxDelaySeconds ?? Infinity),
  );
}

it.each(tasks)('%s retries every transient error name, Lambda timeouts and crashes included', (_, state) => {
  // Act
  const names = ((state.Retry as Retrier[] | undefined) ?? []).flatMap((r) => r.ErrorEquals);
  // Assess
  expect(names).toEqual(expect.arrayContaining(TRANSIENT));
  expect(names).not.toContain('States.Timeout');
  expect(names).not.toContain('States.ALL');
});

it.each(tasks)(
  '%s backs off for at least 5 s, doubling, 5 times: 135 s in all, longer than a leader election',
  (_, state) => {
    // Act
    const [retrier] = state.Retry as Retrier[];
    // Assess
    expect(retrier).toBeDefined();
    expect(retrier!.IntervalSeconds).toBeGreaterThanOrEqual(5);
    expect(retrier!.BackoffRate).toBe(2);
    expect(retrier!.MaxAttempts).toBeGreaterThanOrEqual(5);
    expect(pauses(retrier!)).toEqual([5, 10, 20, 40, 60]);
  },
);
