import { defineConfig } from 'vitest/config';

const integrationSetup = ['./test/support/global-setup.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: integrationSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // 2 cores and one broker: a few files at a time keeps timings honest.
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: integrationSetup,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
      {
        test: {
          // Helm chart, compose file, Dockerfile, compiled build: no broker needed.
          name: 'deploy',
          sequence: { groupOrder: 3 },
          include: ['test/deploy/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'reliability',
          sequence: { groupOrder: 4 },
          include: ['test/reliability/**/*.test.ts'],
          environment: 'node',
          globalSetup: integrationSetup,
          testTimeout: 600_000,
          hookTimeout: 300_000,
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
