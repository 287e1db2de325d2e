import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.venv/', 'rehearsal/kafka/jars/', '.work/', 'coverage/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Layer rules (docs/architecture.md). test/unit/layer-rules.test.ts lints a file breaking each one.
  {
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'kafkajs'].map((name) => ({
            name,
            message: 'The core is pure: no file system, no Kafka client (put it in an adapter behind a port).',
          })),
          patterns: [
            {
              group: [
                '@aws-sdk/*',
                '@platformatic/*',
                'aws-msk-iam-sasl-signer-js',
                '@middy/*',
                '@aws-lambda-powertools/*',
              ],
              message:
                'The core imports no SDK, Kafka client or Lambda middleware (put it in an adapter behind a port).',
            },
            {
              group: [
                '**/adapters/**',
                '**/tasks/**',
                '**/middleware/**',
                '**/approval/handler',
                '**/notifications/**',
              ],
              message: 'The core does not depend on adapters, handlers or middleware: they depend on it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/contract/**/*.ts', 'lambdas/workflow/catalogue.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./(env|names|telemetry)$)',
              message: 'The contract and the workflow catalogue import nothing: lib/ loads them at synth.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)lambdas/(?!contract(/|$)|workflow/catalogue$)',
              allowTypeImports: true,
              message:
                'lib/ imports only lambdas/contract and lambdas/workflow/catalogue of the runtime (type imports aside).',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'lambdas/adapters/aws/**/*.ts',
      'lambdas/tasks/*/handler.ts',
      'lambdas/tasks/shared/**/*.ts',
      'lambdas/runtime/aws*.ts',
      'lambdas/runtime/aws-ports/**/*.ts',
      'lambdas/compensator/**/*.ts',
      'lambdas/approval/handler.ts',
      'lambdas/approval/aws-services.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/local/**', '../local/**', '../local', '**/runtime/local', './local'],
              message:
                'AWS adapters and handlers never use the local ones (the local runtime is not deployed; its root is lambdas/runtime/local.ts, its registry lambdas/adapters/local/registry.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
