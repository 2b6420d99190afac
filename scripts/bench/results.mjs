// Issue 9: `result` of 10k ids in one process at a large queue (target <= 2 s), and
// `results --format csv` of the whole queue read back by csv-parse (a round trip).
import { createReadStream } from "node:fs";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse";
import { writeSessions } from "./gen.mjs";
import { measure } from "./measure.mjs";

export async function benchResults({ bin, work, sessions, points = 30 }) {
  const input = join(work, `sessions-${sessions}x${points}.ndjson`);
  await stat(input).catch(() => writeSessions(input, sessions, points));
  const queue = join(work, `results-${sessions}.jsonl`);
  await rm(queue, { force: true });
  const env = { PLAYPROOF_QUEUE: queue };
  for (const args of [
    ["enqueue", input, "--quiet"],
    ["process", "--engine", "local", "-q"],
  ]) {
    const r = measure("node", [bin, ...args], env);
    if (r.status !== 0) throw new Error(`${args[0]} failed: ${r.stderr}`);
  }
  // Every tenth session, 10,000 ids at 100k: one `result -` process.
  const ids = Array.from(
    { length: Math.min(10_000, sessions) },
    (_, k) => `bench_${Math.floor((k * sessions) / Math.min(10_000, sessions))}`,
  );
  const idFile = join(work, "ids.txt");
  await writeFile(idFile, `${ids.join("\n")}\n`);
  const lookup = measure(
    "sh",
    ["-c", `node "${bin}" result - --json < "${idFile}" > /dev/null`],
    env,
  );
  const csvFile = join(work, `results-${sessions}.csv`);
  const csv = measure("sh", ["-c", `node "${bin}" results --format csv > "${csvFile}"`], env);
  let rows = 0;
  const seen = new Set();
  for await (const row of createReadStream(csvFile).pipe(parse({ columns: true }))) {
    rows++;
    seen.add(row.sessionId);
  }
  await rm(queue, { force: true });
  return {
    sessions,
    "result: ids": ids.length,
    "result s": lookup.seconds.toFixed(2),
    "result RSS MiB": lookup.rssMiB.toFixed(0),
    "results csv s": csv.seconds.toFixed(2),
    "results csv RSS MiB": csv.rssMiB.toFixed(0),
    "csv rows read back": rows,
    "distinct ids": seen.size,
    "round trip": rows === sessions && seen.size === sessions ? "ok" : "MISMATCH",
  };
}
