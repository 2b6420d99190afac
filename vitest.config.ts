import { configDefaults, defineConfig } from "vitest/config";

const TORTURE = "test/e2e/torture.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    setupFiles: ["test/support/setup.ts"],
    hookTimeout: 60_000,
    pool: "forks",
    // Two test files at a time (7-10 min on the 2-core machine instead of 15), then the torture
    // run alone in a group of its own: its kills and lock takeovers are timing-bound, and a second
    // file beside it once starved a holder past the lock's stale time (README: known limits).
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, TORTURE],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "torture",
          include: [TORTURE],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
