import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const alias = {
  '@tlp-broker/config': resolve(__dirname, 'libs/config/src/index.ts'),
  '@tlp-broker/domain': resolve(__dirname, 'libs/domain/src/index.ts'),
  '@tlp-broker/harness': resolve(__dirname, 'libs/harness/src/index.ts'),
  '@tlp-broker/tlp/labels': resolve(__dirname, 'libs/tlp/src/labels.ts'),
  '@tlp-broker/tlp': resolve(__dirname, 'libs/tlp/src/index.ts'),
  '@tlp-broker/crypto': resolve(__dirname, 'libs/crypto/src/index.ts'),
  '@tlp-broker/persistence': resolve(__dirname, 'libs/persistence/src/index.ts'),
  '@tlp-broker/queue': resolve(__dirname, 'libs/queue/src/index.ts'),
  '@tlp-broker/channels': resolve(__dirname, 'libs/channels/src/index.ts'),
  '@tlp-broker/stix': resolve(__dirname, 'libs/stix/src/index.ts'),
  '@tlp-broker/intake': resolve(__dirname, 'libs/intake/src/index.ts'),
  '@tlp-broker/observability': resolve(__dirname, 'libs/observability/src/index.ts'),
  '@tlp-broker/hours': resolve(__dirname, 'libs/hours/src/index.ts'),
};

// SWC keeps decorator metadata, which Nest's dependency injection and class-validator rely on.
const plugins = [
  swc.vite({
    module: { type: 'es6' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  }),
];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.test-report.json' },
    // Two cores: two test files at a time.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // Repositories against real PostgreSQL: a database per file, nothing else running.
          name: 'db',
          include: ['libs/**/*.db-spec.ts', 'apps/**/*.db-spec.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
