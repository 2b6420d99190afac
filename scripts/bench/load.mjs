// Issue 12: the load generator for `serve`, run as its own process so that its CPU and garbage
// collection are not the bench parent's (which holds generated sessions). Closed loop: `lanes`
// clients each send a request as soon as their previous answer arrived, over keep-alive
// connections, until `count` requests or `ms` passed. Prints one JSON line: the figures.
//   node load.mjs '{"mode":"result","url":…,"lanes":64,"count":20000,"ms":30000,"sessions":N}'
//   node load.mjs '{"mode":"enqueue","url":…,"token":…,"lanes":32,"count":5000,"ms":20000,"points":30}'
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { session } from "./gen.mjs";

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const o = JSON.parse(process.argv[2]);
const agent = new Agent({ connections: o.lanes, keepAliveTimeout: 10_000 });
let seed = 12;
const randomId = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return `bench_${seed % o.sessions}`;
};

async function getResult() {
  const r = await request(`${o.url}/api/v1/batch/result/${randomId()}`, { dispatcher: agent });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`GET /result answered ${r.statusCode}`);
}

async function postSession(i) {
  const r = await request(`${o.url}/api/v1/batch/enqueue`, {
    method: "POST",
    headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
    body: JSON.stringify(session(i, o.points)),
    dispatcher: agent,
  });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`POST /enqueue answered ${r.statusCode}`);
}

const call = o.mode === "enqueue" ? postSession : getResult;

/** `lanes` closed-loop clients until `count` calls or `ms`; latencies of the calls made. */
async function run(count, ms, record) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: o.lanes }, async () => {
      while (next < count && performance.now() - started < ms) {
        const i = next++;
        const t = performance.now();
        await call(i);
        record(performance.now() - t);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

// Warm-up for reads, not timed: every connection opened, the server's first fold done.
if (o.mode !== "enqueue") await run(o.lanes * 20, 20_000, () => undefined);
const latencies = new Float64Array(o.count);
let n = 0;
const seconds = await run(o.count, o.ms, (ms) => {
  latencies[n++] = ms;
});
await agent.close();
const lat = Array.from(latencies.subarray(0, n)).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ requests: n, seconds, perSecond: n / seconds, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[n - 1] })}\n`,
);
