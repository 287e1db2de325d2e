import { SNS_FALLBACK_TEST_ENV } from './approval-functions-env';

/** The approval functions read their settings at import (fail fast): the Lambda tests import this module first. */
Object.assign(process.env, SNS_FALLBACK_TEST_ENV);
process.env.AWS_REGION = process.env.AWS_REGION ?? 'eu-west-1';
export {};
