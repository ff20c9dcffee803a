import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The session-start fast path is CommonJS TypeScript (.cts), which Vite does not transform by default.
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // Subprocess and database tests share two cores with everything else.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The JSON report is read by .ci/run for its closing "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
