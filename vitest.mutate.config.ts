import { defineConfig } from "vitest/config";

// The unit tests of the pure core, for `npm run mutate` (issue 15): no e2e, no fake server, no
// queue files, so a mutant costs milliseconds. New pure tests in these folders join on their own.
export default defineConfig({
  test: {
    // Instrumented code is several times slower, and the machine is shared: as vitest.config.ts.
    testTimeout: 60_000,
    setupFiles: ["test/support/setup.ts"],
    include: [
      "test/queue/*.test.ts",
      "test/batch/schedule.test.ts",
      "test/batch/retry-backoff.test.ts",
      "test/scoring/*.test.ts",
      "test/telemetry/features*.test.ts",
      // Issue 10: Math.atan2's bits in JavaScript, the 50 and 100 ms grids sampled together.
      "test/telemetry/atan2.test.ts",
      "test/telemetry/grid-sampling.test.ts",
      "test/woodwide/parse-results.test.ts",
      "test/woodwide/validate-rows.test.ts",
      "test/woodwide/responses.test.ts",
      "test/woodwide/pure.test.ts",
    ],
    // IO-bound (real queue files and locks; the shipped baseline, which local-engine.test.ts replaces with
    // tiny hand-checked ones; the devset's gzip corpus) or a size check (200,000 points): seconds
    // per mutant under Stryker's instrumentation, and they pin no extra behaviour of the pure core.
    exclude: [
      "test/queue/store.test.ts",
      "test/queue/checkpoint.test.ts",
      "test/queue/lock.test.ts",
      // Redis (issue 11): a real server, private servers, a TCP relay and the built CLI (which a
      // Stryker sandbox does not have): IO, and none of it mutates the pure core.
      "test/queue/backend-contract.test.ts",
      "test/queue/redis-durability.test.ts",
      "test/queue/redis-harness.test.ts",
      "test/queue/redis-lost-reply.test.ts",
      "test/scoring/local-model.test.ts",
      "test/scoring/local-model-devset.test.ts",
      "test/telemetry/features-scale.test.ts",
    ],
  },
});
