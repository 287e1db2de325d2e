import { EMULATOR_REGION, type MotoServer } from './moto-server';

/**
 * Calls to AWS services the project has no SDK client for (SQS, CloudFormation): its dependencies stay the clients
 * its adapters use, and a test that only needs a queue to look into or a stack to create speaks the wire protocol.
 * moto checks no signature, but routes a request by the service named in the Authorization header's scope.
 */
function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=testing/20261101/${EMULATOR_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

export class RawAwsError extends Error {
  override readonly name = 'RawAwsError';
}

/** An AWS JSON 1.0 protocol call (`AmazonSQS.ReceiveMessage`); throws with the server's reply on an error status. */
export async function awsJson<T = Record<string, unknown>>(
  server: Pick<MotoServer, 'endpoint'>,
  service: string,
  target: string,
  body: unknown,
): Promise<T> {
  const res = await fetch(`${server.endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: authorization(service),
      'x-amz-target': target,
      'content-type': 'application/x-amz-json-1.0',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new RawAwsError(`${target} answered ${res.status}: ${text.slice(0, 1000)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** An AWS Query protocol call (`Action=CreateStack&Version=2010-05-15&…`); returns the XML reply. */
export async function awsQuery(
  server: Pick<MotoServer, 'endpoint'> & Partial<Pick<MotoServer, 'logTail'>>,
  service: string,
  params: Record<string, string>,
): Promise<string> {
  const res = await fetch(`${server.endpoint}/`, {
    method: 'POST',
    headers: {
      authorization: authorization(service),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  if (!res.ok)
    throw new RawAwsError(
      `${params.Action ?? 'Query'} on ${service} answered ${res.status}: ${text.slice(0, 2000)}${server.logTail ? `\nEmulator log:\n${server.logTail()}` : ''}`,
    );
  return text;
}

/** Every text of `<tag>…</tag>` in an XML reply, entities decoded (enough for the few fields the tests read). */
export function xmlValues(xml: string, tag: string): string[] {
  const decode = (s: string): string =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&#(\d+);/g, (_m, d: string) => String.fromCharCode(Number(d)))
      .replace(/&amp;/g, '&');
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => decode(m[1] ?? ''));
}
