import type { Runtime } from '../../core/plan/runtimes';
import { LAMBDA_PACER_SETTINGS } from '../../ports/pacer';
import { timerPacer } from '../../tasks/shared/paced';
import type { AwsPortFactory } from '../aws';

/** The ports that call nothing: the clock, the runtime and its Region, the pacer of the paced tasks. */

export const clock: AwsPortFactory = async () => () => new Date();

export const runtime: AwsPortFactory = async () => 'AWS' satisfies Runtime;

export const region: AwsPortFactory = async (inv) => inv.env.AWS_REGION;

export const pacer: AwsPortFactory = async () => timerPacer(LAMBDA_PACER_SETTINGS);

/** The rollback window's health alarms are named from the plan by the task itself in AWS. */
export const healthAlarmNames: AwsPortFactory = async () => undefined;
