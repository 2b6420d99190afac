// Issue 11: the Redis backend against the file backend, in one run. Sections:
//   enqueue:  the same input (N sessions of 30 points) into a file queue and into Redis with the
//             CLI; sessions/s of each and redis ÷ file; client CPU, Redis server CPU, Lua time.
//   store:    the store step alone, in-process, on sessions prepared beforehand: the file
//             backend's append, the Redis backend's enqueue (500 sessions per script call,
//             payloads compacted by the backend), and what other chunk sizes or several calls in
//             flight would give (the backend's own script, called directly with payloads
//             compacted as the backend does: nothing in src/ is changed).
//   reads:    stats and result ID, as a library call on a warm handle (what the targets are
//             about) and as a CLI process (Node's start included), on both backends.
//   process:  `process --engine local` scoring the first 20k of those N sessions, file vs Redis.
//   memory:   INFO used_memory before/after, and MEMORY USAGE of each key (`keys`, the feature
//             names registry, included), per queued session; where a session's bytes go: the
//             stored (compact) payload text beside the CLI's payload JSON it came from, the
//             record, the print, the sorted sets.
//   huge:     (--huge) a Redis queue filled to 1M sessions through the backend's own enqueue,
//             then the same reads, memory, a short process run and a small CLI enqueue.
// Every key this bench writes starts with `{ppbench-<pid>-<time>`; they are UNLINKed at the end,
// whatever happens. Figures from INFO (used_memory, CPU, commandstats) are server-wide: other
// clients of the same server add to them.
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { prepareRecord } from "../../dist/ops/enqueue-prepare.js";
import { compactPayload } from "../../dist/queue/redis-payload.js";
import { KEY_NAMES, scriptSource } from "../../dist/queue/redis-scripts.js";
import { createReplayIndex } from "../../dist/scoring/replay-index.js";
import { DEFAULT_THRESHOLDS } from "../../dist/scoring/result.js";
import { session, writeSessions } from "./gen.mjs";
import { measure, median } from "./measure.mjs";

const KiB = 1024;
/** Prepared sessions kept in memory: the store and huge sections cycle through them. */
const PREPARED = 10_000;
/** Sessions `process` scores on each backend (the first of the N queued). */
const PROCESSED = 20_000;

const verdict = (ok) => (ok ? "met" : "NOT met");
const round = (x, d = 0) => Number(x.toFixed(d));

function parseInfo(text) {
  const m = new Map();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** The server's counters that a phase is judged by (all server-wide). */
async function snapshot(admin) {
  const all = parseInfo(await admin.info("all"));
  const evalsha = /calls=(\d+),usec=(\d+)/.exec(all.get("cmdstat_evalsha") ?? "") ?? [0, 0, 0];
  const slow = await admin.slowlog("GET", 1);
  return {
    usedMemory: Number(all.get("used_memory")),
    cpu: Number(all.get("used_cpu_user")) + Number(all.get("used_cpu_sys")),
    evalCalls: Number(evalsha[1]),
    evalUsec: Number(evalsha[2]),
    slowId: slow.length > 0 ? Number(slow[0][0]) : -1,
  };
}

/** What happened on the server between two snapshots, with the slow log entries of `prefix`. */
async function delta(admin, a, b, prefix) {
  const entries = (await admin.slowlog("GET", 1000)).filter(
    (e) => Number(e[0]) > a.slowId && e[3].some((arg) => String(arg).includes(`{${prefix}}`)),
  );
  return {
    serverCpu: b.cpu - a.cpu,
    evalCalls: b.evalCalls - a.evalCalls,
    evalSeconds: (b.evalUsec - a.evalUsec) / 1e6,
    slowCount: entries.length,
    slowMaxMs: entries.length > 0 ? Math.max(...entries.map((e) => Number(e[2]))) / 1000 : 0,
  };
}

async function settled(admin) {
  // UNLINK frees big keys on a background thread: wait for it before reading used_memory.
  for (let i = 0; i < 200; i++) {
    const m = parseInfo(await admin.info("memory"));
    if (Number(m.get("lazyfree_pending_objects") ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function dropKeys(admin, pattern) {
  let cursor = "0";
  let n = 0;
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) n += await admin.unlink(...keys);
  } while (cursor !== "0");
  await settled(admin);
  return n;
}

/** MEMORY USAGE (exact: SAMPLES 0) and size of each of a queue's keys. */
async function keyUsage(admin, prefix) {
  const rows = [];
  for (const name of KEY_NAMES) {
    const key = `{${prefix}}:${name}`;
    const type = await admin.type(key);
    if (type === "none") continue;
    const bytes = Number(await admin.memory("USAGE", key, "SAMPLES", 0));
    const size =
      type === "hash" ? await admin.hlen(key) : type === "zset" ? await admin.zcard(key) : 0;
    rows.push({ key: name, type, entries: size, bytes });
  }
  return rows;
}

/** Average HSTRLEN of a hash's values over the first `ids`. */
async function avgLength(admin, key, ids) {
  const p = admin.pipeline();
  for (const id of ids) p.hstrlen(key, id);
  const lens = (await p.exec()).map(([, n]) => Number(n));
  return lens.reduce((a, b) => a + b, 0) / lens.length;
}

/** N sessions, prepared as the CLI's enqueue prepares them (text: the payload's JSON). */
function prepare(count, points, now) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const p = prepareRecord(
      { line: i + 1, text: JSON.stringify(session(i, points)) },
      { thresholds: DEFAULT_THRESHOLDS, now },
    );
    if (!("payload" in p)) throw new Error(`bench session ${i} rejected: ${p.rejection}`);
    out.push({ id: p.id, payload: p.payload, text: JSON.stringify(p.payload) });
  }
  return out;
}

/** M prepared sessions under ids `${tag}_0` … `${tag}_${n-1}`, payloads cycled. */
function cycled(prepared, tag, from, n) {
  const items = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = prepared[(from + i) % prepared.length];
    items[i] = { id: `${tag}_${from + i}`, payload: p.payload, text: p.text };
  }
  return items;
}

// ---- the bench -----------------------------------------------------------------------------

export async function benchRedis({
  root,
  bin,
  work,
  url = "redis://127.0.0.1:6379/0",
  sessions = 50_000,
  points = 30,
  repeat = 1,
  huge = false,
  hugeSessions = 1_000_000,
  log = () => undefined,
}) {
  if (url.includes("?")) throw new Error(`--redis-url takes no parameters (got ${url})`);
  const admin = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on("error", () => undefined);
  try {
    await admin.connect();
  } catch (err) {
    admin.disconnect();
    return { skipped: `no Redis at ${url}: ${err.message}` };
  }
  const { openQueue } = await import(join(root, "dist", "index.js"));
  const base = `ppbench-${process.pid}-${Date.now().toString(36)}`;
  const queueUrl = (name) => `${url}?prefix=${base}-${name}`;
  const input = join(work, `redis-${sessions}x${points}.ndjson`);
  const fileQueue = join(work, `redis-file-${sessions}.jsonl`);
  const rmFileQueue = async (q) => {
    for (const s of ["", ".checkpoint", ".lock", ".archive.jsonl"])
      await rm(`${q}${s}`, { force: true, recursive: true });
  };
  const out = {};
  try {
    log(`generating ${sessions} sessions of ${points} points`);
    await writeSessions(input, sessions, points);
    const inputMB = (await stat(input)).size / 1e6;

    // ---- enqueue: CLI, same input, file then Redis (alternating when repeated) ------------
    const enq = { file: [], redis: [] };
    let enqServer;
    const enqServers = [];
    const ENQ = "enq";
    for (let k = 0; k < repeat; k++) {
      log(`enqueue ${k + 1}/${repeat}: file`);
      await rmFileQueue(fileQueue);
      const f = measure("node", [bin, "enqueue", input, "--quiet"], { PLAYPROOF_QUEUE: fileQueue });
      if (f.status !== 0) throw new Error(`file enqueue failed: ${f.stderr.slice(-800)}`);
      enq.file.push(f);
      log(`enqueue ${k + 1}/${repeat}: redis`);
      await dropKeys(admin, `{${base}-${ENQ}}*`);
      const a = await snapshot(admin);
      const r = measure("node", [bin, "enqueue", input, "--quiet"], {
        PLAYPROOF_QUEUE: queueUrl(ENQ),
      });
      if (r.status !== 0) throw new Error(`redis enqueue failed: ${r.stderr.slice(-800)}`);
      const b = await snapshot(admin);
      enq.redis.push(r);
      enqServer = { before: a, after: b, ...(await delta(admin, a, b, `${base}-${ENQ}`)) };
      enqServers.push(enqServer);
    }
    const med = (rs, f) => median(rs.map(f));
    const fileS = med(enq.file, (r) => r.seconds);
    const redisS = med(enq.redis, (r) => r.seconds);
    out.enqueue = [
      {
        backend: "file",
        sessions,
        "input MB": round(inputMB),
        "wall s": round(fileS, 2),
        "sessions/s": Math.round(sessions / fileS),
        "client CPU s": round(
          med(enq.file, (r) => r.cpu),
          2,
        ),
        "client RSS MiB": round(med(enq.file, (r) => r.rssMiB)),
      },
      {
        backend: "redis",
        sessions,
        "input MB": round(inputMB),
        "wall s": round(redisS, 2),
        "sessions/s": Math.round(sessions / redisS),
        "client CPU s": round(
          med(enq.redis, (r) => r.cpu),
          2,
        ),
        "client RSS MiB": round(med(enq.redis, (r) => r.rssMiB)),
        "server CPU s": round(
          med(enqServers, (x) => x.serverCpu),
          2,
        ),
        "Lua calls": med(enqServers, (x) => x.evalCalls),
        "Lua s": round(
          med(enqServers, (x) => x.evalSeconds),
          2,
        ),
        "Lua µs/session": round((med(enqServers, (x) => x.evalSeconds) * 1e6) / sessions, 1),
        "slowlog >10ms": enqServer.slowCount,
        "slowest ms": round(enqServer.slowMaxMs, 1),
      },
    ];
    const enqRatio = fileS / redisS;
    // CPU, load-independent: the client's (all threads) and, for Redis, the server's too.
    const fileCpu = med(enq.file, (r) => r.cpu);
    const redisCpu = med(enq.redis, (r) => r.cpu) + med(enqServers, (x) => x.serverCpu);

    // ---- memory of the CLI-enqueued Redis queue -----------------------------------------------
    const ids = Array.from({ length: Math.min(1000, sessions) }, (_, i) => `bench_${i}`);
    const memoryOf = async (prefix, n, before, after, label) => {
      const keys = await keyUsage(admin, prefix);
      const total = keys.reduce((s, k) => s + k.bytes, 0);
      return {
        row: {
          queue: label,
          sessions: n,
          "used_memory Δ MiB": round((after - before) / KiB / KiB, 1),
          "used_memory B/session": Math.round((after - before) / n),
          "keys (MEMORY USAGE) B/session": Math.round(total / n),
          ...Object.fromEntries(keys.map((k) => [`${k.key} B/s`, Math.round(k.bytes / n)])),
        },
        perSession: (after - before) / n,
        keysPerSession: total / n,
        keys,
      };
    };
    const enqMem = await memoryOf(
      `${base}-${ENQ}`,
      sessions,
      enqServer.before.usedMemory,
      enqServer.after.usedMemory,
      "CLI enqueue",
    );
    const payloadLen = await avgLength(admin, `{${base}-${ENQ}}:x`, ids);
    const recLen = await avgLength(admin, `{${base}-${ENQ}}:rec`, ids);
    const fpLen = await avgLength(admin, `{${base}-${ENQ}}:fp`, ids);
    const fpCount = await admin.hlen(`{${base}-${ENQ}}:fp`);
    const featureSets = await admin.hlen(`{${base}-${ENQ}}:keys`);

    // ---- reads: stats and result, library (warm) and CLI -----------------------------------
    const reads = async (label, where, n, idOf) => {
      const q = await openQueue(where, { configFile: false });
      try {
        await q.stats();
        await q.result(idOf(0));
        const statsMs = [];
        for (let i = 0; i < 15; i++) {
          const t = performance.now();
          await q.stats();
          statsMs.push(performance.now() - t);
        }
        const resultMs = [];
        for (let i = 0; i < 30; i++) {
          const t = performance.now();
          await q.result(idOf(Math.floor(((i + 1) * n) / 31)));
          resultMs.push(performance.now() - t);
        }
        const env = { PLAYPROOF_QUEUE: where };
        const cliStats = [0, 1, 2].map(() => measure("node", [bin, "stats", "--json"], env));
        const cliResult = [1, 2, 3].map((k) =>
          measure("node", [bin, "result", idOf(Math.floor((k * n) / 4)), "--json"], env),
        );
        for (const r of [...cliStats, ...cliResult])
          if (r.status !== 0) throw new Error(`${label}: CLI read failed: ${r.stderr.slice(-500)}`);
        return {
          queue: label,
          sessions: n,
          "stats ms (lib p50)": round(median(statsMs), 2),
          "stats ms (lib max)": round(Math.max(...statsMs), 2),
          "result ms (lib p50)": round(median(resultMs), 2),
          "result ms (lib max)": round(Math.max(...resultMs), 2),
          "stats s (CLI)": round(median(cliStats.map((r) => r.seconds)), 2),
          "result s (CLI)": round(median(cliResult.map((r) => r.seconds)), 2),
          statsP50: median(statsMs),
          resultP50: median(resultMs),
        };
      } finally {
        await q.close();
      }
    };
    log("reads: stats and result");
    const readRows = [
      await reads("file", fileQueue, sessions, (i) => `bench_${i}`),
      await reads("redis", queueUrl(ENQ), sessions, (i) => `bench_${i}`),
    ];

    // ---- process: the same N sessions drained with the local engine ------------------------
    // The first PROCESSED sessions (batches of 50), to keep the default run short.
    const processed = Math.min(sessions, PROCESSED);
    const local = ["process", "--engine", "local", "--quiet"];
    const drain = [...local, "--max-batches", String(Math.ceil(processed / 50))];
    log(`process --engine local, ${processed} sessions: file`);
    const pf = measure("node", [bin, ...drain], { PLAYPROOF_QUEUE: fileQueue });
    if (pf.status !== 0) throw new Error(`file process failed: ${pf.stderr.slice(-800)}`);
    log(`process --engine local, ${processed} sessions: redis`);
    const pa = await snapshot(admin);
    const pr = measure("node", [bin, ...drain], { PLAYPROOF_QUEUE: queueUrl(ENQ) });
    if (pr.status !== 0) throw new Error(`redis process failed: ${pr.stderr.slice(-800)}`);
    const pd = await delta(admin, pa, await snapshot(admin), `${base}-${ENQ}`);
    out.process = [
      {
        backend: "file",
        sessions: processed,
        "wall s": round(pf.seconds, 2),
        "sessions/s": Math.round(processed / pf.seconds),
        "client CPU s": round(pf.cpu, 2),
        "RSS MiB": round(pf.rssMiB),
      },
      {
        backend: "redis",
        sessions: processed,
        "wall s": round(pr.seconds, 2),
        "sessions/s": Math.round(processed / pr.seconds),
        "client CPU s": round(pr.cpu, 2),
        "RSS MiB": round(pr.rssMiB),
        "server CPU s": round(pd.serverCpu, 2),
        "Lua calls": pd.evalCalls,
        "Lua s": round(pd.evalSeconds, 2),
        "slowlog >10ms": pd.slowCount,
        "slowest ms": round(pd.slowMaxMs, 1),
      },
    ];
    await rmFileQueue(fileQueue);
    await dropKeys(admin, `{${base}-${ENQ}}*`);

    // ---- store step alone, in-process ------------------------------------------------------
    log(`preparing ${Math.min(PREPARED, sessions)} sessions in-process`);
    const now = Date.now();
    const prepared = prepare(Math.min(PREPARED, sessions), points, now);
    const storeN = Math.min(PREPARED, sessions);
    const timed = async (fn) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const serial = (size) => async (enq, items) => {
      const ms = [];
      for (let i = 0; i < items.length; i += size)
        ms.push(await timed(() => enq(items.slice(i, i + size))));
      return ms;
    };
    const inFlight = (size, lanes) => async (enq, items) => {
      const ms = [];
      const chunks = [];
      for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
      let next = 0;
      const lane = async () => {
        while (next < chunks.length) {
          const c = chunks[next++];
          ms.push(await timed(() => enq(c)));
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      return ms;
    };
    const redisStore = async (name) => {
      const q = await openQueue(queueUrl(name), { configFile: false });
      return {
        enq: (items) => q.internals.store.enqueue(items, now),
        close: async () => {
          await q.close();
          await dropKeys(admin, `{${base}-${name}}*`);
        },
      };
    };
    const items = cycled(prepared, "st", 0, storeN);
    const STORE = [
      {
        label: "file: backend.enqueue, 2000 per call (the CLI's chunk: one locked fsynced append)",
        drive: serial(2000),
        open: async () => {
          const path = join(work, "redis-store-file.jsonl");
          await rmFileQueue(path);
          const q = await openQueue(path, { configFile: false });
          return {
            enq: (items) => q.internals.store.enqueue(items, now),
            close: async () => {
              await q.close();
              await rmFileQueue(path);
            },
          };
        },
      },
      {
        label: "redis: backend.enqueue, 2000 per call (the CLI's path: 4 scripts of 500 in turn)",
        drive: serial(2000),
        open: () => redisStore("st-cur"),
      },
      {
        label: "redis: backend.enqueue, 100 per call (as ENQUEUE_CHUNK = 100)",
        drive: serial(100),
        open: () => redisStore("st-100"),
      },
      {
        label: "redis: backend.enqueue, 500 per call, 4 calls in flight (pipelined)",
        drive: inFlight(500, 4),
        open: () => redisStore("st-par"),
      },
      {
        label:
          "redis: the backend's ENQUEUE script direct, 2000 per call (as ENQUEUE_CHUNK = 2000)",
        drive: serial(2000),
        open: async () => {
          const prefix = `${base}-st-2000`;
          const keys = KEY_NAMES.map((k) => `{${prefix}}:${k}`);
          const c = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
          c.defineCommand("ppEnqueue", {
            numberOfKeys: keys.length,
            lua: scriptSource("ppEnqueue"),
          });
          const registered = new Set();
          return {
            // As the backend's enqueue, one script call per chunk: payloads compacted, their
            // feature names registered once per set in `keys`.
            enq: async (items) => {
              const args = [String(now)];
              for (const it of items) {
                const compact = compactPayload(it.payload, it.text);
                if (!registered.has(compact.namesId)) {
                  registered.add(compact.namesId);
                  await c.hsetnx(keys[KEY_NAMES.indexOf("keys")], compact.namesId, compact.names);
                }
                args.push(it.id, compact.text, it.payload.fp ?? "");
              }
              return c.ppEnqueue(...keys, ...args);
            },
            close: async () => {
              await c.quit();
              await dropKeys(admin, `{${prefix}}*`);
            },
          };
        },
      },
    ];
    const samples = STORE.map(() => []);
    for (let k = 0; k < repeat; k++) {
      log(`store step alone ${k + 1}/${repeat}`);
      for (const [v, variant] of STORE.entries()) {
        const h = await variant.open();
        try {
          const a = await snapshot(admin);
          const cpu0 = process.cpuUsage();
          const t = performance.now();
          const callMs = await variant.drive(h.enq, items);
          const seconds = (performance.now() - t) / 1000;
          const cpu = process.cpuUsage(cpu0);
          const b = await snapshot(admin);
          samples[v].push({
            rate: storeN / seconds,
            client: (cpu.user + cpu.system) / storeN,
            server: ((b.cpu - a.cpu) * 1e6) / storeN,
            lua: (b.evalUsec - a.evalUsec) / storeN,
            callMs,
          });
        } finally {
          await h.close();
        }
      }
    }
    const storeRows = STORE.map(({ label }, v) => {
      const xs = samples[v];
      const m = (f) => median(xs.map(f));
      const calls = xs.flatMap((x) => x.callMs);
      const file = label.startsWith("file");
      return {
        store: label,
        sessions: storeN,
        "sessions/s": Math.round(m((x) => x.rate)),
        "client CPU µs/session": round(
          m((x) => x.client),
          1,
        ),
        "server CPU µs/session": file
          ? "-"
          : round(
              m((x) => x.server),
              1,
            ),
        "Lua µs/session": file
          ? "-"
          : round(
              m((x) => x.lua),
              1,
            ),
        "call ms p50": round(median(calls), 1),
        "call ms max": round(Math.max(...calls), 1),
      };
    });
    out.store = storeRows;

    out.memory = [enqMem.row];
    const perSession = (name) => (enqMem.keys.find((k) => k.key === name)?.bytes ?? 0) / sessions;
    const enqueuedLen =
      prepared.reduce((n, p) => n + Buffer.byteLength(p.text), 0) / prepared.length;
    const featureCounts = prepared.map((p) => Object.keys(p.payload.features).length);
    const [fewest, most] = [Math.min(...featureCounts), Math.max(...featureCounts)];
    out.breakdown = [
      [
        `the CLI's payload JSON, before the backend compacts it (first ${prepared.length})`,
        enqueuedLen,
      ],
      ["stored payload text, compact (avg HSTRLEN of x)", payloadLen],
      ["x hash per session (text + id + entry)", perSession("x")],
      ["  of which hash entry, id and allocator rounding", perSession("x") - payloadLen],
      ["record JSON (avg HSTRLEN of rec)", recLen],
      ["rec hash per session", perSession("rec")],
      [
        `fp hash per session (${fpCount} of ${sessions} have a print, avg ${fpLen.toFixed(0)} B)`,
        perSession("fp"),
      ],
      [`keys hash (feature names registry, ${featureSets} sets) per session`, perSession("keys")],
      ["ready ZSET per queued session", perSession("ready")],
      ["all ZSET per session", perSession("all")],
      ["sum of keys (MEMORY USAGE)", enqMem.keysPerSession],
      ["INFO used_memory Δ", enqMem.perSession],
    ].map(([part, b]) => ({ part, "B/session": Math.round(b) }));
    out.features = fewest === most ? `${most}` : `${fewest} to ${most}`;

    // ---- huge: 1M sessions through the backend's own enqueue ---------------------------------
    if (huge) {
      const H = "huge";
      const hugeUrl = queueUrl(H);
      await settled(admin);
      const a = await snapshot(admin);
      log(`huge: filling Redis with ${hugeSessions} sessions (backend.enqueue, 2 calls in flight)`);
      const t = performance.now();
      await redisStoreKeep(openQueue, hugeUrl, async (s) => {
        let next = 0;
        const step = 10_000;
        await Promise.all(
          [0, 1].map(async () => {
            while (next < hugeSessions) {
              const from = next;
              next += step;
              await s.enqueue(
                cycled(prepared, "bench", from, Math.min(step, hugeSessions - from)),
                now,
              );
              if ((from / step) % 10 === 0) log(`huge: ${from} queued`);
            }
          }),
        );
      });
      const fillS = (performance.now() - t) / 1000;
      const b = await snapshot(admin);
      const hm = await memoryOf(
        `${base}-${H}`,
        hugeSessions,
        a.usedMemory,
        b.usedMemory,
        `${hugeSessions} via backend.enqueue`,
      );
      out.memory.push(hm.row);
      log("huge: reads");
      const hr = await reads("redis", hugeUrl, hugeSessions, (i) => `bench_${i}`);
      readRows.push(hr);
      log(`huge: process ${processed} sessions; CLI enqueue of 1000 new sessions`);
      const pbA = await snapshot(admin);
      const pb = measure("node", [bin, ...drain], { PLAYPROOF_QUEUE: hugeUrl });
      if (pb.status !== 0) throw new Error(`huge process failed: ${pb.stderr.slice(-800)}`);
      const pbD = await delta(admin, pbA, await snapshot(admin), `${base}-${H}`);
      // Sessions the queue does not hold, with trajectories of their own (no replay marks).
      const small = join(work, "redis-small-1000.ndjson");
      await writeFile(
        small,
        Array.from({ length: 1000 }, (_, i) => JSON.stringify(session(hugeSessions + i, points)))
          .join("\n")
          .concat("\n"),
      );
      const smallInto = (where) => {
        const r = measure("node", [bin, "enqueue", small, "--quiet"], { PLAYPROOF_QUEUE: where });
        if (r.status !== 0) throw new Error(`small enqueue failed: ${r.stderr.slice(-800)}`);
        return r;
      };
      const smallEmpty = smallInto(queueUrl("small"));
      const smallHuge = smallInto(hugeUrl);
      await rm(small, { force: true });
      // What a CLI enqueue reads first (the replay check): every print the queue keeps.
      log("huge: the replay check's reads, in-process");
      const fpStep = await redisStoreKeep(openQueue, hugeUrl, async (s) => {
        const cpu0 = process.cpuUsage();
        let t = performance.now();
        const prints = await s.fingerprints();
        const read = (performance.now() - t) / 1000;
        const readCpu = process.cpuUsage(cpu0);
        t = performance.now();
        const index = createReplayIndex();
        for (const [id, fp] of prints) index.addPrint(id, fp);
        return {
          prints: prints.length,
          read,
          readCpu: (readCpu.user + readCpu.system) / 1e6,
          build: (performance.now() - t) / 1000,
        };
      });
      out.huge = [
        {
          step: `fill ${hugeSessions} (backend.enqueue in-process)`,
          s: round(fillS, 1),
          "sessions/s": Math.round(hugeSessions / fillS),
          "server CPU s": round(b.cpu - a.cpu, 1),
          "Lua s": round((b.evalUsec - a.evalUsec) / 1e6, 1),
        },
        {
          step: `process --engine local, ${processed} of ${hugeSessions} (as above at ${sessions})`,
          s: round(pb.seconds, 2),
          "sessions/s": Math.round(processed / pb.seconds),
          "client CPU s": round(pb.cpu, 2),
          "server CPU s": round(pbD.serverCpu, 2),
          "Lua s": round(pbD.evalSeconds, 2),
        },
        {
          step: "CLI enqueue 1000 sessions into an empty Redis queue",
          s: round(smallEmpty.seconds, 2),
          "sessions/s": Math.round(1000 / smallEmpty.seconds),
          "client CPU s": round(smallEmpty.cpu, 2),
          "client RSS MiB": round(smallEmpty.rssMiB),
        },
        {
          step: `CLI enqueue 1000 sessions into the ${hugeSessions} queue`,
          s: round(smallHuge.seconds, 2),
          "sessions/s": Math.round(1000 / smallHuge.seconds),
          "client CPU s": round(smallHuge.cpu, 2),
          "client RSS MiB": round(smallHuge.rssMiB),
        },
        {
          step: `  of which fingerprints(): HSCAN of ${fpStep.prints} prints (in-process)`,
          s: round(fpStep.read, 2),
          "client CPU s": round(fpStep.readCpu, 2),
        },
        {
          step: "  of which the replay index built from them (in-process)",
          s: round(fpStep.build, 2),
        },
      ];
      await dropKeys(admin, `{${base}-${H}}*`);
    }

    // ---- reads table and targets -----------------------------------------------------------
    out.reads = readRows.map(({ statsP50: _s, resultP50: _r, ...row }) => row);
    const bigRead = readRows.at(-1);
    const mem = huge ? out.memory.at(-1) : enqMem.row;
    const memB = mem["used_memory B/session"];
    out.targets = [
      ["enqueue sessions/s, redis ÷ file (CLI, same input)", enqRatio, ">= 0.8", enqRatio >= 0.8],
      [
        "enqueue CPU s, file ÷ redis (client + Redis server)",
        fileCpu / redisCpu,
        "(>= 0.8 on a machine to itself)",
        undefined,
      ],
      [
        `stats ms, library, redis at ${bigRead.sessions}`,
        bigRead.statsP50,
        "< 50",
        bigRead.statsP50 < 50,
      ],
      [
        `result ms, library, redis at ${bigRead.sessions}`,
        bigRead.resultP50,
        "< 10",
        bigRead.resultP50 < 10,
      ],
      [`Redis used_memory B per queued session at ${mem.sessions}`, memB, "<= 1024", memB <= 1024],
      [
        "process sessions/s, redis ÷ file (local engine)",
        pf.seconds / pr.seconds,
        "(reported)",
        undefined,
      ],
    ].map(([measure, value, target, ok]) => ({
      measure,
      value: round(value, 2),
      target,
      verdict: ok === undefined ? "-" : verdict(ok),
    }));
    return out;
  } finally {
    await rm(input, { force: true });
    await rmFileQueue(fileQueue);
    const n = await dropKeys(admin, `{${base}*`).catch(() => -1);
    log(`removed ${n} Redis keys of ${base}`);
    await admin.quit().catch(() => admin.disconnect());
  }
}

async function redisStoreKeep(openQueue, where, fn) {
  const q = await openQueue(where, { configFile: false });
  try {
    return await fn(q.internals.store);
  } finally {
    await q.close();
  }
}
