import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

/**
 * The smallest request/response model the approval endpoint needs, so that the same handler code runs behind API
 * Gateway (HTTP API, payload v2) and behind node:http (the local server used by tests and the rehearsal).
 */
export interface HttpRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The raw query string (without `?`), parsed strictly by the route that needs it. */
  readonly rawQuery: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received: Slack's signature is computed over these bytes. */
  readonly rawBody: Buffer;
  readonly sourceIp?: string;
  /**
   * The IAM principal that signed the request, as verified by whoever checked the SigV4 signature: API Gateway's
   * AWS_IAM authorization in AWS (`requestContext.authorizer.iam`), the local server's verifier in tests. Never a
   * header: a request carries no claim of its own identity here.
   */
  readonly iamCaller?: IamCaller;
}

export interface IamCaller {
  /** `arn:aws:iam::ACCT:user/NAME` or `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`. */
  readonly userArn: string;
  readonly accountId?: string;
  /** The access key ID that signed (audit only). */
  readonly accessKey?: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

/** The API's routes with AWS_IAM authorization put the verified caller here; other routes have no `authorizer`. */
function iamCallerOf(event: APIGatewayProxyEventV2): IamCaller | undefined {
  const iam = (event as Partial<APIGatewayProxyEventV2WithIAMAuthorizer>).requestContext?.authorizer?.iam;
  if (!iam || typeof iam.userArn !== 'string' || iam.userArn.length === 0) return undefined;
  return {
    userArn: iam.userArn,
    ...(typeof iam.accountId === 'string' ? { accountId: iam.accountId } : {}),
    ...(typeof iam.accessKey === 'string' ? { accessKey: iam.accessKey } : {}),
  };
}

export function fromApiGatewayV2(event: APIGatewayProxyEventV2): HttpRequest {
  const iamCaller = iamCallerOf(event);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body = event.body ?? '';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    rawQuery: event.rawQueryString ?? '',
    headers,
    // API Gateway base64-encodes bodies it does not treat as text; Slack's MAC is over the decoded bytes.
    rawBody: event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
    sourceIp: event.requestContext.http.sourceIp,
    ...(iamCaller ? { iamCaller } : {}),
  };
}

export function toApiGatewayV2(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.statusCode,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}
