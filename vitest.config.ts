import { defineConfig } from 'vitest/config';

// With NUGAN_TEST_RESULTS=<file> the run also writes vitest's JSON report there; .ci/run reads it to
// print one plain totals line ("tests: N passed, N failed, N skipped") that any CI log reader finds.
const resultsFile = process.env.NUGAN_TEST_RESULTS;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    ...(resultsFile ? { reporters: ['default', 'json'], outputFile: { json: resultsFile } } : {}),
  },
});
