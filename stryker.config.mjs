// `npm run mutate` (issue 15): mutation testing of the pure core against its unit tests only
// (vitest.mutate.config.ts: no e2e, no fake server, no queue files). Equivalent mutants are marked
// where they live, with `// Stryker disable next-line <mutator>: reason`, never by dropping a file.
// Iterate on one file: `npm run mutate -- --incremental --mutate src/queue/fold.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutate.config.ts", related: false },
  coverageAnalysis: "perTest",
  // The build machine has 2 cores shared with other work.
  concurrency: 2,
  // A mutant that loops forever is caught by the timeout; the unit tests take milliseconds, so
  // 3 s over the normal time (default 5 s) is ample even on a loaded machine.
  timeoutMS: 3000,
  mutate: [
    "src/telemetry/features*.ts",
    // Issue 10: the time grid the grid and shape features share.
    "src/telemetry/grid-sampling.ts",
    // Issue 10: Math.atan2 in JavaScript with its bits; the point columns.
    "src/telemetry/atan2.ts",
    "src/telemetry/point-columns.ts",
    // Every pure scoring module, new ones included; local-model.ts reads the shipped files.
    "src/scoring/*.ts",
    "!src/scoring/local-model.ts",
    "src/queue/plans.ts",
    "src/queue/fold.ts",
    // Issue 10: the fold's columns, the due index, packed fingerprints, the summary's counts.
    "src/queue/session-table.ts",
    "src/queue/lazy-column.ts",
    "src/queue/id-table.ts",
    // Issue 10: the ids a checkpoint holds, read from its file (unit-tested on small files).
    "src/queue/id-base.ts",
    "src/queue/lower-bound.ts",
    "src/queue/due-index.ts",
    "src/queue/print-set.ts",
    "src/queue/summary.ts",
    "src/batch/schedule.ts",
    "src/batch/retry-backoff.ts",
    "src/woodwide/parse-results.ts",
    "src/woodwide/validate-rows.ts",
    "src/woodwide/responses.ts",
  ],
  ignorePatterns: ["dist", "coverage", ".bench", ".demo", "reports"],
  // With --incremental, reuses the results of unchanged mutants and tests (gitignored reports/).
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 90, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
