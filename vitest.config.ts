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
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/deploy/**/*.test.ts'],
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
          name: 'reliability',
          sequence: { groupOrder: 2 },
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
