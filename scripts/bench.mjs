// npm run bench: throughput and memory figures (not timed tests). Sections:
//   enqueue:  enqueue vs the read+JSON.parse floor at 10k and 100k sessions, stats time, RSS;
//   scoring:  local model startup and scoring speed;
//   process:  process throughput, local engine and the fake Woodwide at zero latency, beside
//             the cost of building the batch CSVs alone.
//   features: extractFeatures against JSON.parse at 300 and 30 points (issue 10).
//   scale:    10k and 100k sessions of 30 points (and 1M with --huge, about 7 more minutes and
//             2 GB of disk, deleted after): enqueue, stats, result, fold memory, CPU per batch,
//             full drain, and issue 10's targets as ratios measured in the same run.
//   redis:    issue 11, the Redis backend beside the file backend in one run (Redis at
//             --redis-url, default redis://127.0.0.1:6379/0; skipped when none answers): CLI
//             enqueue of --redis-sessions (50k) sessions of 30 points into both, the store step
//             alone in-process, stats/result (library and CLI), local process throughput, and
//             Redis memory per queued session (INFO and MEMORY USAGE per key) and where a
//             session's bytes go; --huge adds a 1M-session Redis queue (about 2.5 GB of Redis
//             memory, a few more minutes). Its keys ({ppbench-…) are deleted after.
//   enqueue-vs: only when asked (--only enqueue-vs): issue 13, enqueue's throughput beside an
//             earlier commit (--base, default 2deb8f5, built once into .bench/) on 20k and 100k
//             sessions of 30 points and 5k of 300, --rounds (5) alternated runs, medians.
// Usage: npm run bench [-- --sessions 100000 --points 300 --only enqueue,features,scoring,process]
//        npm run bench -- --only scale --huge
//        npm run bench -- --only redis [--huge] [--redis-sessions 50000] [--redis-repeat 1]
import { mkdir, rm, stat } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { writeSessions } from "./bench/gen.mjs";
import { measure, median } from "./bench/measure.mjs";
import { benchProcess } from "./bench/process.mjs";
import { benchResults } from "./bench/results.mjs";
import { benchLocalScoring } from "./bench/scoring.mjs";
import { benchStages } from "./bench/stages.mjs";

const root = resolve(import.meta.dirname, "..");
const bin = join(root, "bin", "playproof-batch.js");
const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100000" },
    points: { type: "string", default: "300" },
    only: { type: "string" },
    huge: { type: "boolean", default: false },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379/0" },
    "redis-sessions": { type: "string", default: "50000" },
    "redis-repeat": { type: "string", default: "1" },
    base: { type: "string", default: "2deb8f5" },
    rounds: { type: "string", default: "5" },
  },
});
const work = join(root, ".bench");
await mkdir(work, { recursive: true });
const points = Number(values.points);
const big = Number(values.sessions);
const sizes = [...new Set([Math.min(10_000, big), big])];
const want = (name) => !values.only || values.only.split(",").includes(name);
const rows = [];

// Issue 10: the same build meets or misses a bar depending on the machine (README ¹³, ¹⁴), so
// every run says which machine its figures are from.
const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}, Node ${process.version}`,
);

if (want("enqueue")) {
  for (const n of sizes) {
    const input = join(work, `sessions-${n}x${points}.ndjson`);
    await stat(input).catch(async () => {
      process.stderr.write(`generating ${n} sessions of ${points} points…\n`);
      await writeSessions(input, n, points);
    });
    const mb = (await stat(input)).size / 1e6;
    const floor = measure("node", [join(root, "scripts", "bench", "floor.mjs"), input]);
    const queue = join(work, `queue-${n}.jsonl`);
    await rm(queue, { force: true });
    const enq = measure("node", [bin, "enqueue", input, "--quiet"], { PLAYPROOF_QUEUE: queue });
    if (enq.status !== 0) throw new Error(`enqueue failed: ${enq.stderr}`);
    const statsRuns = [0, 1, 2].map(() =>
      measure("node", [bin, "stats", "--json"], { PLAYPROOF_QUEUE: queue }),
    );
    const qmb = (await stat(queue)).size / 1e6;
    rows.push({
      sessions: n,
      inputMB: mb.toFixed(0),
      "floor s": floor.seconds.toFixed(2),
      "floor sess/s": Math.round(n / floor.seconds),
      "enqueue s": enq.seconds.toFixed(2),
      "enqueue sess/s": Math.round(n / enq.seconds),
      "enqueue/floor": (enq.seconds / floor.seconds).toFixed(2),
      "floor RSS MiB": floor.rssMiB.toFixed(0),
      "enqueue RSS MiB": enq.rssMiB.toFixed(0),
      "queue MB": qmb.toFixed(0),
      "stats s (median of 3)": median(statsRuns.map((r) => r.seconds)).toFixed(2),
      "stats RSS MiB": median(statsRuns.map((r) => r.rssMiB)).toFixed(0),
    });
  }
  console.log(
    "\n## enqueue (targets: within 2x of the floor, stats under 1 s, memory flat 10k vs 100k)",
  );
  console.table(rows);
  console.log(
    "enqueue's CPU per session on one thread (enqueue spreads it over 2 worker threads):",
  );
  console.table([benchStages({ points })]);
}

if (want("scale")) {
  const { benchScale } = await import("./bench/scale.mjs");
  const scaleSizes = values.huge ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  const log = (m) => process.stderr.write(`scale: ${m}\n`);
  const { table, targets } = await benchScale({ root, bin, work, sizes: scaleSizes, log });
  console.log(`\n## scale (issue 10; ${scaleSizes.join(" / ")} sessions of 30 points)`);
  console.table(table);
  console.log("issue 10 targets (ratios from this run; 1M with --huge):");
  console.table(targets);
}

if (values.only?.split(",").includes("enqueue-vs")) {
  const { benchEnqueueVs } = await import("./bench/enqueue-vs.mjs");
  const log = (m) => process.stderr.write(`enqueue-vs: ${m}\n`);
  const commit = values.base;
  const rounds = Number(values.rounds);
  const rows = await benchEnqueueVs({ root, bin, work, commit, rounds, log });
  console.log(
    `\n## enqueue beside ${commit} (issue 13: throughput within 10%; medians of ${rounds} alternated runs)`,
  );
  console.table(rows);
}

if (want("redis")) {
  const { benchRedis } = await import("./bench/redis.mjs");
  const n = Number(values["redis-sessions"]);
  const r = await benchRedis({
    root,
    bin,
    work,
    url: values["redis-url"],
    sessions: n,
    points: 30,
    repeat: Number(values["redis-repeat"]),
    huge: values.huge,
    log: (m) => process.stderr.write(`redis ${(performance.now() / 1000).toFixed(0)}s: ${m}\n`),
  });
  if (r.skipped) {
    console.log(`\n## redis (issue 11): skipped, ${r.skipped}`);
  } else {
    console.log(`\n## redis (issue 11): enqueue, CLI, ${n} sessions of 30 points, same input`);
    console.table(r.enqueue);
    console.log(
      "store step alone, in-process (prepared sessions; CPU per session of this process and of the Redis server):",
    );
    console.table(r.store);
    console.log(
      "stats and result: library on a warm handle (median of 15 / 30) and CLI (median of 3)",
    );
    console.table(r.reads);
    console.log(`process --engine local, the first ${r.process[0].sessions} of the ${n} queued`);
    console.table(r.process);
    console.log("Redis memory per queued session (used_memory Δ; MEMORY USAGE SAMPLES 0 per key)");
    console.table(r.memory);
    console.log(
      `where a session's bytes go (CLI-enqueued queue, ${r.features} features per payload):`,
    );
    console.table(r.breakdown);
    if (r.huge) console.table(r.huge);
    console.log("issue 11 targets (this run):");
    console.table(r.targets);
  }
}

if (want("features")) {
  console.log(
    "\n## features (issue 10 target: extractFeatures ≤ 0.5x JSON.parse, at 300 and 30 points)",
  );
  console.table([300, 30].map((p) => benchStages({ points: p })));
}

if (want("scoring")) {
  console.log(
    "\n## local engine (targets: startup < 200 ms; issue 10: ≥ 25k sessions/s with features)",
  );
  console.table([benchLocalScoring({ sessions: 5000, points })]);
}

if (want("process")) {
  const n = Math.min(10_000, big);
  const input = join(work, `sessions-${n}x${points}.ndjson`);
  await stat(input).catch(() => writeSessions(input, n, points));
  const seedQueue = join(work, `process-seed-${n}.jsonl`);
  await rm(seedQueue, { force: true });
  const enq = measure("node", [bin, "enqueue", input, "--quiet"], { PLAYPROOF_QUEUE: seedQueue });
  if (enq.status !== 0) throw new Error(`enqueue failed: ${enq.stderr}`);
  console.log(`\n## process (${n} queued sessions, batches of 50)`);
  console.table(await benchProcess({ root, work, seedQueue, sessions: n }));
}

if (want("results")) {
  console.log("\n## result and results (targets: 10k ids in one `result -` <= 2 s at 100k)");
  console.table([await benchResults({ bin, work, sessions: big, points: 30 })]);
}

if (want("api")) {
  const { benchApi } = await import("./bench/api.mjs");
  const r = await benchApi({ root, work, bin, sessions: big, points: 30 });
  console.log("\n## api (issue 12): enqueue one session per call; GET /result under 64 clients");
  console.table(r.enqueue);
  console.table([r.result]);
}
