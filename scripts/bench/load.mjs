// Issue 12: the load generator for `serve`, run as its own process so that its CPU and garbage
// collection are not the bench parent's (which holds generated sessions). Closed loop: `lanes`
// clients each send a request as soon as their previous answer arrived, over keep-alive
// connections, until `count` requests or `ms` passed. Prints one JSON line: the figures.
// Usage: node load.mjs '{"url","lanes","count","ms","sessions","mode":"result"}'
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const o = JSON.parse(process.argv[2]);
const agent = new Agent({ connections: o.lanes, keepAliveTimeout: 10_000, pipelining: 1 });
let seed = 12;
const randomId = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return `bench_${seed % o.sessions}`;
};

async function get() {
  const r = await request(`${o.url}/api/v1/batch/result/${randomId()}`, { dispatcher: agent });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`GET /result answered ${r.statusCode}`);
}

// Warm-up, not timed: every connection opened, the server's first fold done.
const warm = performance.now();
let warmed = 0;
await Promise.all(
  Array.from({ length: o.lanes }, async () => {
    while (warmed < o.lanes * 20 && performance.now() - warm < 10_000) {
      warmed++;
      await get();
    }
  }),
);

const latencies = new Float64Array(o.count);
let n = 0;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: o.lanes }, async () => {
    while (next < o.count && performance.now() - started < o.ms) {
      next++;
      const t = performance.now();
      await get();
      latencies[n++] = performance.now() - t;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await agent.close();
const lat = Array.from(latencies.subarray(0, n)).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ requests: n, seconds, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: lat[n - 1] })}\n`,
);
