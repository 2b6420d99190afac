import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import type { cliWorld } from "./cli.js";
import { parsePromText, sample } from "./prom-text.js";

type World = Awaited<ReturnType<typeof cliWorld>>;

const STATES = [
  ["due", "due"],
  ["backoff", "backoff"],
  ["in_flight", "inFlight"],
  ["scored", "scored"],
  ["dead", "dead"],
] as const;

export async function stats(w: World) {
  return JSON.parse((await w.run(["stats", "--json"])).stdout);
}

/** Every number the metrics file shares with `stats --json` must be equal. */
export async function expectMetricsMatchStats(w: World, path: string) {
  const m = parsePromText(await readFile(path, "utf8"));
  const s = await stats(w);
  for (const [name, f] of m) {
    expect(name).toMatch(/^playproof_(batch|woodwide)_/);
    expect(f.help).toBeTruthy();
    expect(["counter", "gauge"]).toContain(f.type);
  }
  for (const [state, key] of STATES)
    expect(sample(m, "playproof_batch_sessions", `{state="${state}"}`)).toBe(s[key]);
  expect(sample(m, "playproof_batch_batches_total")).toBe(s.totals.batches);
  expect(sample(m, "playproof_batch_sessions_scored_total")).toBe(s.totals.scored);
  expect(sample(m, "playproof_batch_fallbacks_total")).toBe(s.totals.dead);
  expect(sample(m, "playproof_batch_retries_total")).toBe(s.totals.retries);
  const failures = s.totals.failures ?? {};
  expect(m.get("playproof_batch_failures_total")?.samples.size).toBe(Object.keys(failures).length);
  for (const [kind, n] of Object.entries(failures))
    expect(sample(m, "playproof_batch_failures_total", `{kind="${kind}"}`)).toBe(n);
  // Issue 14: in-place retries by status, apart from failed attempts.
  const retried = s.totals.retriedCalls ?? {};
  expect(m.get("playproof_woodwide_retried_calls_total")?.samples.size).toBe(
    Object.keys(retried).length,
  );
  for (const [status, n] of Object.entries(retried))
    expect(sample(m, "playproof_woodwide_retried_calls_total", `{status="${status}"}`)).toBe(n);
  expect(sample(m, "playproof_batch_last_success_timestamp_seconds")).toBe(
    (s.lastSuccess?.at ?? 0) / 1000,
  );
  expect(sample(m, "playproof_batch_last_batch_timestamp_seconds")).toBe(
    (s.lastBatch?.at ?? 0) / 1000,
  );
  expect(sample(m, "playproof_batch_last_batch_duration_seconds")).toBe(
    (s.lastBatch?.durationMs ?? 0) / 1000,
  );
  return s;
}
