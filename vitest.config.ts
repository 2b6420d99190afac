import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    setupFiles: ["test/support/setup.ts"],
    hookTimeout: 60_000,
    pool: "forks",
    // Two test files at a time. Vitest's default is one fewer than the cores, which is one on the
    // 2-core CI machines: the suite then took 882 s there, most of it waiting on child processes,
    // timers and leases, with the second core idle (586 s with two).
    maxWorkers: 2,
  },
});
