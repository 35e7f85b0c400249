import { defineConfig } from 'vitest/config';

// Tests run from the repository root (not web/, the app's Vite root).
export default defineConfig({
  test: {
    root: '.',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on the 2-core machines we test on,
    // that ran every file one after another. Two forks halve the suite's time there.
    maxWorkers: 2,
  },
});
