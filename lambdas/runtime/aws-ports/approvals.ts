import { approvalEnvFrom, awsApprovalServices } from '../../approval/aws-services';
import { telemetryFor } from '../../middleware/observability';
import { perContainer, type AwsPortFactory } from '../aws';

/** The approval services (store, mailer, Slack, callback), built once per container from the approval settings. */
export const approvals: AwsPortFactory = (inv) =>
  perContainer('approvals', async () => {
    const { logger } = telemetryFor(inv.fn);
    return awsApprovalServices(approvalEnvFrom(process.env), (message, details) => logger.warn(message, details ?? {}));
  });
