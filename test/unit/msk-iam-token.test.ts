import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import {
  MSK_IAM_USER_AGENT,
  mskIamToken,
  mskIamTokenFromDefaultCredentials,
} from '../../lambdas/adapters/kafka/msk-iam-token';

/**
 * The MSK IAM token the data planes send (lambdas/adapters/kafka/msk-iam-token.ts) is the one AWS's signer library,
 * aws-msk-iam-sasl-signer-js, makes from the same credentials at the same second: same URL, same signature, same
 * expiry; only the unsigned User-Agent parameter names this project.
 */

const NOW = new Date('2026-12-04T10:15:30.250Z');
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//session+token=',
};

function decoded(token: string): URL {
  expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

async function libraryToken(credentials: typeof CREDENTIALS & { expiration?: Date }, region: string, now = NOW) {
  jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  try {
    return await generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: async () => credentials });
  } finally {
    jest.useRealTimers();
  }
}

describe('the MSK IAM token', () => {
  it("is the signer library's token for the same credentials and second, but for the User-Agent", async () => {
    // Act
    const ours = await mskIamToken('eu-central-1', CREDENTIALS, NOW);
    const theirs = await libraryToken(CREDENTIALS, 'eu-central-1');

    // Assess
    const [a, b] = [decoded(ours.token), decoded(theirs.token)];
    expect(a.searchParams.get('User-Agent')).toBe(MSK_IAM_USER_AGENT);
    a.searchParams.delete('User-Agent');
    b.searchParams.delete('User-Agent');
    expect(a.toString()).toBe(b.toString());
    expect(Object.fromEntries(a.searchParams)).toMatchObject({
      Action: 'kafka-cluster:Connect',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20261204/eu-central-1/kafka-cluster/aws4_request',
      'X-Amz-Date': '20261204T101530Z',
      'X-Amz-Expires': '900',
      'X-Amz-Security-Token': CREDENTIALS.sessionToken,
      'X-Amz-SignedHeaders': 'host',
    });
    expect(a.host).toBe('kafka.eu-central-1.amazonaws.com');
    expect(ours.expiryTime).toBe(theirs.expiryTime);
    expect(ours.expiryTime).toBe(Date.parse('2026-12-04T10:30:30.000Z'));
  });

  it('lasts only until the credentials expire when that is sooner than 15 minutes, in whole seconds', async () => {
    // Prepare
    const credentials = { ...CREDENTIALS, expiration: new Date('2026-12-04T10:20:30.000Z') };
    const onTheSecond = new Date('2026-12-04T10:15:30.000Z');

    // Act
    const ours = await mskIamToken('us-east-1', credentials, onTheSecond);
    const theirs = await libraryToken(credentials, 'us-east-1', onTheSecond);
    const midSecond = await mskIamToken('us-east-1', credentials, NOW);

    // Assess
    const [a, b] = [decoded(ours.token), decoded(theirs.token)];
    a.searchParams.delete('User-Agent');
    b.searchParams.delete('User-Agent');
    expect(a.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(a.toString()).toBe(b.toString());
    expect(ours.expiryTime).toBe(Date.parse('2026-12-04T10:20:30.000Z'));
    // The library would send 299.75 here; SigV4 takes whole seconds.
    expect(decoded(midSecond.token).searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('refuses expired or empty credentials and an empty region, naming what is wrong', async () => {
    // Act
    const expired = mskIamToken('eu-west-1', { ...CREDENTIALS, expiration: new Date('2026-12-04T10:15:00Z') }, NOW);
    const empty = mskIamToken('eu-west-1', { accessKeyId: '', secretAccessKey: 's' }, NOW);
    const noRegion = mskIamToken('', CREDENTIALS, NOW);

    // Assess
    await expect(expired).rejects.toThrow('MSK IAM token: the credentials have expired.');
    await expect(empty).rejects.toThrow('MSK IAM token: the credentials have no access key id or no secret.');
    await expect(noRegion).rejects.toThrow('MSK IAM token: the region is empty.');
  });

  it("is signed, by default, with the SDK's default credential chain (the function's role in Lambda)", async () => {
    // Prepare: the chain's first source, as the Lambda runtime sets it
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIADEFAULTCHAIN0001',
      AWS_SECRET_ACCESS_KEY: 'default-chain-secret',
      AWS_SESSION_TOKEN: 'default-chain-session',
    });
    try {
      // Act
      const { token } = await mskIamTokenFromDefaultCredentials('eu-west-1');

      // Assess
      const url = decoded(token);
      expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        /^AKIADEFAULTCHAIN0001\/\d{8}\/eu-west-1\/kafka-cluster\//,
      );
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('default-chain-session');
    } finally {
      process.env = saved;
    }
  });
});
