// Issue 12: enqueue one session at a time in-process through the library, with one CLI process
// per session, and with POST /api/v1/batch/enqueue (keep-alive, 32 concurrent); then p50/p99 of
// GET /api/v1/batch/result/:id under 64 concurrent clients on a large queue (target p99 < 20 ms).
// Loopback only; every loop is bounded in count and in time.
import { spawn, spawnSync } from "node:child_process";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { session, writeSessions } from "./gen.mjs";
import { measure } from "./measure.mjs";

const TOKEN = "bench-token-0123456789abcdef";
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

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
  const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const post = await lanes(32, 5_000, 20_000, async (i) => {
    const r = await request(`${served.url}/api/v1/batch/enqueue`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(session(i, points)),
      dispatcher: agent,
    });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`POST /enqueue answered ${r.statusCode}`);
  });
  await stopServe(served);
  const sorted = [...post.latencies].sort((a, b) => a - b);
  rows.push({
    path: "POST /enqueue, 32 concurrent",
    sessions: post.latencies.length,
    "sessions/s": Math.round(post.latencies.length / post.seconds),
    "p50 ms": pct(sorted, 50).toFixed(1),
    "p99 ms": pct(sorted, 99).toFixed(1),
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
  await agent.close();
  return { enqueue: rows, result };
}

/** p50/p99 of GET /result/:id, 64 concurrent clients, random ids of a queue of `sessions`. */
export async function benchResultLatency({ bin, queue, sessions }) {
  const big = await startServe(bin, queue);
  const reader = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  // Warm-up: the server folds the journal once, before the clock starts.
  await (await request(`${big.url}/api/v1/batch/stats`, { dispatcher: reader })).body.text();
  let seed = 12;
  const randomId = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return `bench_${seed % sessions}`;
  };
  const get = await lanes(64, 20_000, 30_000, async () => {
    const r = await request(`${big.url}/api/v1/batch/result/${randomId()}`, { dispatcher: reader });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`GET /result answered ${r.statusCode}`);
  });
  await stopServe(big);
  await reader.close();
  const lat = [...get.latencies].sort((a, b) => a - b);
  const p99 = pct(lat, 99);
  return {
    queue: sessions,
    requests: lat.length,
    "req/s": Math.round(lat.length / get.seconds),
    "p50 ms": pct(lat, 50).toFixed(1),
    "p99 ms": p99.toFixed(1),
    "target p99 < 20 ms": p99 < 20 ? "met" : "NOT met",
  };
}
