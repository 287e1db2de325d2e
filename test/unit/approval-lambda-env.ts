/** The approval functions read their settings at import (fail fast): the Lambda tests import this module first. */
process.env.APPROVAL_TABLE_NAME = 'approvals';
process.env.APPROVAL_BASE_URL = 'https://approve.example.com/';
process.env.SIGNING_KEY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:signing';
process.env.ARTIFACT_BUCKET_NAME = 'evidence';
process.env.SNS_FALLBACK_TOPIC_ARN = 'arn:aws:sns:eu-west-1:1:approvals';
process.env.SLACK_SIGNING_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:1:secret:slack-signing';
process.env.REMINDER_TARGET_ARN = 'arn:aws:lambda:eu-west-1:1:function:approval';
process.env.REMINDER_ROLE_ARN = 'arn:aws:iam::123456789012:role/scheduler';
process.env.AWS_REGION = process.env.AWS_REGION ?? 'eu-west-1';
export {};
