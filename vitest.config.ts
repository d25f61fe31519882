import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: integration suites start brokers and databases; keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
