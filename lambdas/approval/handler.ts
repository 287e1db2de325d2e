import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { renderNoticePage, PAGE_SECURITY_HEADERS } from '../core/approval/render';
import { expireApproval, sendReminder, type ExpiryResult, type ReminderResult } from '../core/approval/service';
import { recordApprovalWait, telemetryFor, withObservability } from '../middleware/observability';
import { isApprovalReminderEvent } from '../ports/approval-reminders';
import { createApprovalApp } from './app';
import { approvalEnvFrom, awsApprovalServices } from './aws-services';
import { fromApiGatewayV2, toApiGatewayV2, type HttpHandler } from './http';

/**
 * The approval endpoint's Lambda: API Gateway HTTP API (payload v2) requests, and the reminder events EventBridge
 * Scheduler delivers. Everything is built once per container from the environment (fail fast on a missing setting).
 */

const PHASE = 'ApprovalEndpoint';
const { logger } = telemetryFor(PHASE);
const warn = (message: string, details?: Record<string, unknown>): void => logger.warn(message, details ?? {});

let built: { services: ReturnType<typeof awsApprovalServices>; app: HttpHandler } | undefined;
function wiring(): NonNullable<typeof built> {
  if (!built) {
    const services = awsApprovalServices(approvalEnvFrom(process.env), warn);
    const withMetrics = {
      ...services,
      onDecided: (kind: 'CUTOVER' | 'FINALIZE' | 'FAILBACK', waitedSeconds: number) =>
        recordApprovalWait(PHASE, kind, waitedSeconds),
    };
    built = { services: withMetrics, app: createApprovalApp(withMetrics) };
  }
  return built;
}

export async function approvalEndpoint(
  event: unknown,
): Promise<APIGatewayProxyStructuredResultV2 | { reminder: ReminderResult } | { expiry: ExpiryResult }> {
  const { services, app } = wiring();
  if (isApprovalReminderEvent(event)) {
    return event.action === 'EXPIRE'
      ? { expiry: await expireApproval(event.approvalId, services) }
      : { reminder: await sendReminder(event.approvalId, services) };
  }
  try {
    return toApiGatewayV2(await app(fromApiGatewayV2(event as APIGatewayProxyEventV2)));
  } catch (err) {
    // Name and message only: never the event (it carries signatures) nor a token.
    logger.error('Approval request failed', { errorName: (err as Error).name, errorMessage: (err as Error).message });
    return {
      statusCode: 500,
      headers: { ...PAGE_SECURITY_HEADERS },
      body: renderNoticePage(
        'Something went wrong',
        'The approval service had a problem. Open the link again in a minute to see whether your decision was recorded.',
        'warn',
      ),
      isBase64Encoded: false,
    };
  }
}

export const handler = middy(approvalEndpoint).use(withObservability(PHASE, { announce: 'never' }));
