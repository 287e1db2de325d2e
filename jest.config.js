// One jest project per test tier; `npm run test:<tier>` selects one.
// ts-jest transpiles only (type errors are caught by `npm run build`), which keeps the suite fast on 2 cores.
// Some dependencies ship ESM only (@middy/core, @platformatic/kafka): ts-jest transpiles them to CommonJS too.
const esmOnly = ['@middy', '@platformatic', 'mnemonist', 'obliterator'];
const tsJest = { tsconfig: { allowJs: true, isolatedModules: true, sourceMap: true }, diagnostics: false };
const base = {
  testEnvironment: 'node',
  transform: {
    // The ESM-only dependencies also read `import.meta.url`, which CommonJS lacks: see the transformer.
    '/node_modules/.+\\.[cm]?js$': ['<rootDir>/test/setup/esm-import-meta-transform.cjs', tsJest],
    '^.+\\.[cm]?[tj]s$': ['ts-jest', tsJest],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // Promise.withResolvers on Node 20, for aws-local-stepfunctions; the rehearsal command loads the same module.
  setupFiles: ['<rootDir>/rehearsal/node20-polyfills.ts'],
};
const tier = (name, extra = {}) => ({
  ...base,
  displayName: name,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});
// The unit, workflow and aws-api tiers record every AWS SDK request they make; the iam tier (run after them by
// `npm test`) evaluates the records against the synthesized roles and the AWS service models.
const recorded = { setupFilesAfterEnv: ['<rootDir>/test/setup/aws-request-recorder.ts'] };
module.exports = {
  projects: [
    tier('unit', recorded),
    tier('infra'),
    tier('workflow', recorded),
    tier('integration'),
    tier('aws-api', recorded),
    tier('e2e'),
    tier('iam'),
  ],
};
