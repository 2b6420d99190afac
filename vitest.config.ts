import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    setupFiles: ["test/support/setup.ts"],
    hookTimeout: 60_000,
    pool: "forks",
  },
});
