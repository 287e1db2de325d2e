/**
 * The contract between the deployed resources (lib/) and the runtime (lambdas/): environment variable names and the
 * one reader, name prefixes, tags, metric and event names. No imports: lib/ may import this (and the workflow
 * catalogue, lambdas/workflow/catalogue.ts, also import-free) and nothing else of lambdas/ (eslint.config.mjs).
 */
export * from './env';
export * from './names';
export * from './telemetry';
