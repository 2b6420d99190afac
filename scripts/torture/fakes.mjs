// The fake Woodwide servers of a torture run, in this process (compiled from test/support by
// tsconfig.bench.json, as for npm run bench): a flaky one with latency and scripted faults, and
// issue 8's defect-1 setting, a server that answers 503 after 3 s.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Compiles the fake (tsconfig.bench.json's input, with the project root as rootDir so the fake
 * may import from src/) when its build is missing or older than its sources.
 */
export async function loadFake(root) {
  const out = join(root, ".bench", "torture", "test", "support");
  const built = join(out, "fake-woodwide.js");
  const support = join(root, "test", "support");
  const newest = Math.max(
    ...readdirSync(support)
      .filter((f) => f.startsWith("fake-"))
      .map((f) => statSync(join(support, f)).mtimeMs),
  );
  if (!existsSync(built) || statSync(built).mtimeMs < newest) {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const args = ["-p", join(root, "tsconfig.bench.json"), "--rootDir", root];
    execFileSync(process.execPath, [tsc, ...args, "--outDir", join(root, ".bench", "torture")], {
      stdio: "inherit",
    });
  }
  return {
    woodwide: await import(built),
    model: await import(join(out, "fake-model.js")),
  };
}

/** Retryable faults only: a refusal would just stop the processor, which a kill does already. */
const FAULTS = [
  { kind: "server-error", status: 503 },
  { kind: "server-error", status: 502 },
  { kind: "rate-limit", retryAfter: "1" },
  { kind: "reset" },
  { kind: "empty-body" },
  { kind: "malformed-json" },
  { kind: "duplicate-id" },
  { kind: "missing-id" },
  { kind: "job-failed" },
];

export async function startFakes({ fake, latencyMs, training, inputColumns, rand }) {
  const flaky = await fake.woodwide.startFakeWoodwide({ latencyMs, seed: 7 });
  const model = flaky.addModel({ name: "torture", training, inputColumns });
  // Issue 8's repro: every request fails with 503 after 3 s, so --attempts 1 dead-letters; the
  // hour-long Retry-After keeps the client from retrying the call in place (issue 14).
  const down = await fake.woodwide.startFakeWoodwide({ latencyMs: 3000 });
  down.setFault({ kind: "server-error", status: 503, retryAfter: "3600" });
  let faults = 0;
  const timer = setInterval(() => {
    // One fault pending at most: faults wait for requests, and piling them up would fail every
    // request, so no Woodwide batch would ever score.
    if (rand() < 0.5 || flaky.faults.some((f) => f.remaining > 0)) return;
    const spec = FAULTS[Math.floor(rand() * FAULTS.length)];
    flaky.setFault({ ...spec, times: 1 });
    faults++;
  }, 700);
  return {
    flaky,
    model,
    down,
    faultsInjected: () => faults,
    stopFaults() {
      clearInterval(timer);
      flaky.clearFaults();
    },
    close: () => Promise.all([flaky.close(), down.close()]),
  };
}
