import { readFile } from "node:fs/promises";
import { expect } from "vitest";
import { FAILURE_KINDS } from "../../src/ui/metrics.js";
import type { cliWorld } from "./cli.js";
import { parsePromText, sample } from "./prom-text.js";

/**
 * Issue 9: every sample carries `queue="<path>"` (two queues' files must not collide in one
 * textfile directory). Checked here, then dropped so the checks below read plain series.
 */
export function withoutQueueLabel(text: string, queue: string): string {
  const label = `queue="${queue}"`;
  return text
    .split("\n")
    .map((line) => {
      if (line === "" || line.startsWith("#")) return line;
      expect(line).toContain(label);
      return line.replace(`{${label}}`, "").replace(`,${label}`, "");
    })
    .join("\n");
}

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
  const m = parsePromText(withoutQueueLabel(await readFile(path, "utf8"), w.queue));
  const s = await stats(w);
  for (const [name, f] of m) {
    expect(name).toMatch(/^playproof_(batch|woodwide|watch)_|^playproof_build_info$/);
    expect(f.help).toBeTruthy();
    expect(["counter", "gauge"]).toContain(f.type);
  }
  for (const [state, key] of STATES)
    expect(sample(m, "playproof_batch_sessions", `{state="${state}"}`)).toBe(s[key]);
  expect(sample(m, "playproof_batch_batches_total")).toBe(s.totals.batches);
  expect(sample(m, "playproof_batch_sessions_scored_total")).toBe(s.totals.scored);
  expect(sample(m, "playproof_batch_fallbacks_total")).toBe(s.totals.dead);
  expect(sample(m, "playproof_batch_retries_total")).toBe(s.totals.retries);
  // Issue 9: a series per failure kind from the start, 0 until it happens.
  const failures: Record<string, number> = s.totals.failures ?? {};
  for (const kind of FAILURE_KINDS)
    expect(sample(m, "playproof_batch_failures_total", `{kind="${kind}"}`)).toBe(
      failures[kind] ?? 0,
    );
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
