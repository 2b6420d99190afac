// Issue 10: a million sessions in one queue. For each size (30 points a session, generated on
// the fly and deleted after), in one run: enqueue vs its parse floor, stats, result, the fold's
// memory per session, CPU per batch of 50, and a full local drain; then the ratios the issue
// sets as targets, each printed with met / NOT met.
import { spawnSync } from "node:child_process";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeSessions } from "./gen.mjs";
import { measure, median } from "./measure.mjs";

const POINTS = 30;
/** Batches of the per-batch CPU probe: the difference of a 1-batch and a (1+K)-batch run. */
const K = 40;
/**
 * The probe's pairs of runs; their median difference is the figure. At 1M each run spends about
 * a second loading the queue, whose variance alone moved one pair's figure by a third (18.0 and
 * 24.8 ms a batch in two bench runs of code the probe does not run differently).
 */
const PAIRS = 3;

function run(bin, args, env) {
  const r = measure("node", [bin, ...args], env);
  if (r.status !== 0 && !(args[0] === "result" && r.status === 3))
    throw new Error(`${args.join(" ")} failed (${r.status}): ${r.stderr.slice(-800)}`);
  return r;
}

async function one({ root, bin, work, n, log }) {
  const input = join(work, `scale-${n}x${POINTS}.ndjson`);
  const queue = join(work, `scale-${n}.jsonl`);
  const env = { PLAYPROOF_QUEUE: queue };
  await rm(queue, { force: true });
  await rm(`${queue}.checkpoint`, { force: true });
  log(`${n}: generating ${n} sessions of ${POINTS} points`);
  await writeSessions(input, n, POINTS);
  try {
    log(`${n}: floor and enqueue`);
    const floor = measure("node", [join(root, "scripts", "bench", "floor.mjs"), input]);
    const enq = run(bin, ["enqueue", input, "--quiet"], env);
    const queueMB = (await stat(queue)).size / 1e6;
    const stats = [0, 1, 2].map(() => run(bin, ["stats", "--json"], env));
    const ids = [0, 1, 2].map((k) => `bench_${Math.floor(((k + 1) * n) / 4)}`);
    const result = ids.map((id) => run(bin, ["result", id, "--json"], env));
    const probeFold = () =>
      JSON.parse(
        spawnSync(
          "node",
          ["--expose-gc", join(root, "scripts", "bench", "fold-memory.mjs"), queue],
          {
            encoding: "utf8",
            maxBuffer: 1 << 20,
          },
        ).stdout,
      );
    const fold = probeFold();
    log(`${n}: CPU per batch, then a full drain`);
    const local = ["process", "--engine", "local", "--quiet"];
    const pairs = Array.from({ length: PAIRS }, () => {
      const b1 = run(bin, [...local, "--max-batches", "1"], env);
      const bk = run(bin, [...local, "--max-batches", String(1 + K)], env);
      return { b1, bk, ms: ((bk.cpu - b1.cpu) / K) * 1000 };
    });
    const left = n - PAIRS * 50 * (2 + K);
    const drain = run(bin, local, env);
    // Drained: every session finished, so the lazy columns hold all their pages.
    const drained = probeFold();
    return {
      n,
      inputMB: (await stat(input)).size / 1e6,
      queueMB,
      floor,
      enq,
      stats: {
        seconds: median(stats.map((r) => r.seconds)),
        rssMiB: median(stats.map((r) => r.rssMiB)),
      },
      result: {
        seconds: median(result.map((r) => r.seconds)),
        rssMiB: median(result.map((r) => r.rssMiB)),
      },
      foldBytes: fold.bytesPerSession,
      drainedFoldBytes: drained.bytesPerSession,
      storeBytes: fold.storeBytesPerSession,
      loadedBytes: fold.loadedBytesPerSession,
      drainedLoadedBytes: drained.loadedBytesPerSession,
      batchMs: median(pairs.map((p) => p.ms)),
      batchMsEach: pairs.map((p) => p.ms),
      drain: { ...drain, sessions: left, perSessionUs: (drain.seconds / left) * 1e6 },
      processRss: Math.max(drain.rssMiB, ...pairs.flatMap((p) => [p.b1.rssMiB, p.bk.rssMiB])),
    };
  } finally {
    await rm(input, { force: true });
    await rm(queue, { force: true });
    await rm(`${queue}.checkpoint`, { force: true });
  }
}

const verdict = (ok) => (ok ? "met" : "NOT met");

export async function benchScale({ root, bin, work, sizes, log = () => undefined }) {
  const rows = [];
  for (const n of sizes) rows.push(await one({ root, bin, work, n, log }));
  const table = rows.map((r) => ({
    sessions: r.n,
    "input MB": r.inputMB.toFixed(0),
    "queue MB": r.queueMB.toFixed(0),
    "enqueue s": r.enq.seconds.toFixed(1),
    "enqueue/floor": (r.enq.seconds / r.floor.seconds).toFixed(2),
    "enqueue RSS MiB": r.enq.rssMiB.toFixed(0),
    "stats s": r.stats.seconds.toFixed(2),
    "stats RSS MiB": r.stats.rssMiB.toFixed(0),
    "result s": r.result.seconds.toFixed(2),
    "result RSS MiB": r.result.rssMiB.toFixed(0),
    "fold B/session": r.foldBytes.toFixed(0),
    "drained fold B/session": r.drainedFoldBytes.toFixed(0),
    "store B/session": r.storeBytes.toFixed(0),
    "loaded B/session (drained)": `${r.loadedBytes.toFixed(0)} (${r.drainedLoadedBytes.toFixed(0)})`,
    "CPU ms/batch": r.batchMs.toFixed(1),
    "each pair": r.batchMsEach.map((ms) => ms.toFixed(1)).join(" "),
    "drain s": r.drain.seconds.toFixed(1),
    "drain sess/s": Math.round(r.drain.sessions / r.drain.seconds),
    "process RSS MiB": r.processRss.toFixed(0),
  }));
  const small = rows[0];
  const big = rows.at(-1);
  const mid = rows.length > 2 ? rows.at(-2) : rows[0];
  const ratio = (a, b) => a / b;
  const targets = [
    ["CPU per batch, largest ÷ smallest", ratio(big.batchMs, small.batchMs), 1.5],
    [
      "drain time per session, largest ÷ next",
      ratio(big.drain.perSessionUs, mid.drain.perSessionUs),
      1.2,
    ],
    ...["enq", "stats", "result"].map((k) => [
      `${k === "enq" ? "enqueue" : k} peak RSS, largest ÷ next`,
      ratio(big[k].rssMiB, mid[k].rssMiB),
      1.3,
    ]),
    ["process peak RSS, largest ÷ next", ratio(big.processRss, mid.processRss), 1.3],
    [
      "fold bytes per session (largest, queued or drained)",
      Math.max(big.foldBytes, big.drainedFoldBytes),
      150,
    ],
    [`stats s at ${big.n}`, big.stats.seconds, 0.5],
    [`result s at ${big.n}`, big.result.seconds, 0.3],
    [
      `enqueue ÷ parse floor at ${POINTS} points (largest)`,
      ratio(big.enq.seconds, big.floor.seconds),
      2.5,
    ],
  ].map(([measure, value, limit]) => ({
    measure,
    value: Number(value.toFixed(2)),
    target: `<= ${limit}`,
    verdict: verdict(value <= limit),
  }));
  return { table, targets };
}
