// Issue 12: enqueue one session at a time in-process through the library, with one CLI process
// per session, and with POST /api/v1/batch/enqueue (keep-alive, 32 concurrent); then p50/p99 of
// GET /api/v1/batch/result/:id under 64 concurrent clients on a large queue (target p99 < 20 ms).
// Loopback only; every loop is bounded in count and in time. The HTTP clients run in their own
// process (load.mjs), beside serve's: the two share the machine's 2 cores.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { session, writeSessions } from "./gen.mjs";
import { measure } from "./measure.mjs";

const TOKEN = "bench-token-0123456789abcdef";

function startServe(bin, queue) {
  const child = spawn("node", [bin, "serve", "--listen", "127.0.0.1:0", "--engine", "local"], {
    env: { ...process.env, PLAYPROOF_QUEUE: queue, PLAYPROOF_API_TOKEN: TOKEN },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (d) => {
      err += d;
      const m = /listening on (http:\/\/[^ ]+)/.exec(err);
      if (m) resolve({ url: m[1], child });
    });
    child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

async function stopServe(s) {
  const done = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await done;
}

/** Runs `worker` on `concurrency` lanes until `count` calls or `ms` passed; returns latencies. */
async function lanes(concurrency, count, ms, call) {
  const started = performance.now();
  const latencies = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() - started < ms) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export async function benchApi({ root, work, bin, sessions = 100_000, points = 30 }) {
  const { openQueue } = await import(join(root, "dist", "index.js"));
  const rows = [];
  // 1. In-process: one library call per session, as a web handler makes.
  const libQueue = join(work, "api-lib.jsonl");
  await rm(libQueue, { force: true });
  const q = await openQueue(libQueue);
  const lib = await lanes(1, 3_000, 20_000, (i) => q.enqueue(session(i, points)));
  await q.close();
  rows.push({
    path: "library, 1 call/session",
    sessions: lib.latencies.length,
    "sessions/s": Math.round(lib.latencies.length / lib.seconds),
  });

  // 2. One CLI process per session.
  const cliQueue = join(work, "api-cli.jsonl");
  await rm(cliQueue, { force: true });
  const cliStarted = performance.now();
  let cliCount = 0;
  while (cliCount < 40 && performance.now() - cliStarted < 30_000) {
    const r = spawnSync("node", [bin, "enqueue", "-q"], {
      input: `${JSON.stringify(session(cliCount, points))}\n`,
      env: { ...process.env, PLAYPROOF_QUEUE: cliQueue },
    });
    if (r.status !== 0) throw new Error(`enqueue failed: ${r.stderr}`);
    cliCount++;
  }
  const cliSeconds = (performance.now() - cliStarted) / 1000;
  rows.push({
    path: "CLI process/session",
    sessions: cliCount,
    "sessions/s": Math.round((cliCount / cliSeconds) * 10) / 10,
  });

  // 3. POST /enqueue, keep-alive, 32 concurrent.
  const httpQueue = join(work, "api-http.jsonl");
  await rm(httpQueue, { force: true });
  const served = await startServe(bin, httpQueue);
  const post = await load({
    mode: "enqueue",
    url: served.url,
    token: TOKEN,
    lanes: 32,
    count: 5_000,
    ms: 20_000,
    points,
  });
  await stopServe(served);
  rows.push({
    path: "POST /enqueue, 32 concurrent",
    sessions: post.requests,
    "sessions/s": Math.round(post.perSecond),
    "p50 ms": post.p50.toFixed(1),
    "p99 ms": post.p99.toFixed(1),
  });

  // 4. GET /result/:id, 64 concurrent clients, on a queue of `sessions` (queued and scored).
  const input = join(work, `sessions-${sessions}x${points}.ndjson`);
  await stat(input).catch(() => writeSessions(input, sessions, points));
  const bigQueue = join(work, `api-result-${sessions}.jsonl`);
  await rm(bigQueue, { force: true });
  const env = { PLAYPROOF_QUEUE: bigQueue };
  const seeded = measure("node", [bin, "enqueue", input, "--quiet"], env);
  if (seeded.status !== 0) throw new Error(`enqueue failed: ${seeded.stderr}`);
  const half = measure(
    "node",
    [bin, "process", "--engine", "local", "-q", "--max-batches", String(Math.ceil(sessions / 100))],
    env,
  );
  if (half.status !== 0) throw new Error(`process failed: ${half.stderr}`);
  const result = await benchResultLatency({ bin, queue: bigQueue, sessions });
  return { enqueue: rows, result };
}

/** p50/p99 of GET /result/:id, 64 concurrent clients, random ids of a queue of `sessions`. */
export async function benchResultLatency({ bin, queue, sessions }) {
  const big = await startServe(bin, queue);
  // The load generator's own process warms up (connections, the server's first fold) first.
  const get = await load({
    mode: "result",
    url: big.url,
    lanes: 64,
    count: 20_000,
    ms: 30_000,
    sessions,
  });
  await stopServe(big);
  return {
    queue: sessions,
    requests: get.requests,
    "req/s": Math.round(get.perSecond),
    "p50 ms": get.p50.toFixed(1),
    "p99 ms": get.p99.toFixed(1),
    "target p99 < 20 ms": get.p99 < 20 ? "met" : "NOT met",
  };
}

/** Runs the load generator (load.mjs) in its own process: it does not share this one's heap. */
async function load(options) {
  const child = spawn("node", [join(import.meta.dirname, "load.mjs"), JSON.stringify(options)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`load generator failed: ${err}`);
  return JSON.parse(out);
}
