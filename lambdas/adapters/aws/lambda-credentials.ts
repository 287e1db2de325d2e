import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The AWS SDK clients' default credential provider in a deployed task function: its bundle takes this module for
 * `@aws-sdk/credential-provider-node` (lib/handler-bundles.ts, BUNDLE_OPTIONS.alias). Lambda gives a function its
 * execution role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which the first link
 * of the SDK's default chain reads (`fromEnv`, this provider). The chain's other links (SSO, shared profiles,
 * credential processes, web identity, container and instance metadata) never answer in Lambda, and they brought the
 * SDK's nested STS, SSO and sign-in clients into every bundle (≈ 95 KB, docs/cutover.md, "Bundles"). The clients
 * memoize what it returns as they do the chain's.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
