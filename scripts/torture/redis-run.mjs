// `npm run torture -- --redis`: the hostile run on the Redis queue (issue 11). A private
// redis-server (appendonly yes, appendfsync always) on a free port; 4 enqueuers, two `process`
// loops and a `watch`, each a separate CLI process as on several hosts; random SIGKILLs at
// seeded moments; --freezes processors SIGSTOPped for 8 s (past their lease: taken over, their
// late answers dropped); and once, mid-phase, the redis-server itself SIGKILLed and restarted
// from its append-only file after --redis-down ms. Then the enqueuers finish, the rest stop, a clean
// `process --engine local` drains, and scripts/torture/redis-check.mjs checks every session.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { seededRandom as rng } from "../../dist/scoring/random.js";
import { childEnv, createSupervisor, killPhase, printRolesAndViolations } from "./children.mjs";
import { fakeTable } from "./expected.mjs";
import { startFakes } from "./fakes.mjs";
import { checkRedisRun } from "./redis-check.mjs";
import { startRedis } from "./redis-server.mjs";
import { addRedisRoles } from "./roles.mjs";
import { tortureSessions } from "./sessions.mjs";

/** How long a frozen processor sleeps: 4 leases (2 s each), under load too. */
const FREEZE_MS = 8_000;

export async function runRedisTorture({
  freezes,
  bin,
  lib,
  fake,
  kills,
  seconds,
  n,
  seed,
  latencyMs,
  downMs,
  keep,
  say,
}) {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "ppb-torture-redis-"));
  await mkdir(join(dir, "home"));
  await mkdir(join(dir, "redis"));
  const redis = await startRedis(join(dir, "redis"));
  const prefix = `torture-${seed}`;
  const queue = redis.url(`prefix=${prefix}&commandTimeout=2000&connectTimeout=2000`);
  const admin = new Redis(redis.url(""), { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  admin.on("error", () => undefined);

  const sessions = tortureSessions(n, seed);
  const prepared = new Map(sessions.map((s) => [s.sessionId, lib.preparePayload(s)]));
  const training = fakeTable(lib, fake, [...prepared.values()].slice(0, 150));
  const fakes = await startFakes({
    fake,
    latencyMs,
    training: training.rows,
    inputColumns: training.columns.filter((col) => col !== "gameType" && col !== "deviceType"),
    rand: rng(seed * 3 + 1),
  });
  const baseEnv = childEnv(dir, queue);
  const reported = { lost: 0, scored: 0, dead: 0, retried: 0 };
  const supervisor = createSupervisor({ bin, rand: rng(seed * 5 + 2), log: say });
  const phaseMs = seconds * 1000;
  addRedisRoles(supervisor, {
    dir,
    baseEnv,
    sessions,
    fakes,
    phaseMs,
    start: Date.now(),
    onReport: (_role, r) => {
      // A finished `process` (its summary) or one `watch` batch.
      if (r.type === "stopped" || typeof r.lost !== "number") return;
      for (const k of Object.keys(reported)) reported[k] += r[k] ?? 0;
    },
  });
  say(`${n} sessions, ${kills} kills over ${seconds}s, seed ${seed}, queue ${queue}`);

  // One restart of Redis itself, at a seeded moment in the middle of the phase.
  const restartAt = phaseMs * (0.35 + 0.3 * rng(seed * 11 + 5)());
  const restart = (async () => {
    await sleep(restartAt);
    const snap = async () => ({
      sessions: await admin.hlen(`{${prefix}}:rec`),
      recorded: (await admin.hmget(`{${prefix}}:meta`, "tscored", "tdead")).reduce(
        (a, x) => a + Number(x ?? 0),
        0,
      ),
    });
    const before = await snap();
    await redis.kill();
    say(
      `redis-server SIGKILLed at ${Math.round(restartAt / 1000)}s (${before.sessions} sessions, ${before.recorded} results); down ${downMs} ms`,
    );
    await sleep(downMs);
    await redis.restart();
    const after = await snap();
    say(
      `redis-server restarted from its AOF: ${after.sessions} sessions, ${after.recorded} results`,
    );
    return { atSeconds: Math.round(restartAt / 1000), downMs, before, after };
  })();

  // Processors frozen (SIGSTOP) for 8 s at seeded moments: well past their 2 s lease, so another
  // processor may take their batch over, and their late answer must then be dropped.
  const freezeRand = rng(seed * 13 + 7);
  // Early enough that the last one (up to 3 s to find a holder, then 8 s) ends with the phase.
  const freezeWindow = Math.max(0, phaseMs - FREEZE_MS - 3_000);
  const freezeMoments = Array.from({ length: freezes }, () => freezeRand() * freezeWindow).sort(
    (a, b) => a - b,
  );
  // A processor holding a live claim is chosen (owners are host:pid), waiting up to 3 s for
  // one. Just before it thaws, the claims it held are read again: those now held by another
  // batch or finished by one were taken over while it slept.
  const claimsByPid = async () => {
    const ids = await admin.zrangebyscore(`{${prefix}}:lease`, Date.now(), "+inf");
    const recs = ids.length > 0 ? await admin.hmget(`{${prefix}}:rec`, ...ids) : [];
    const by = new Map();
    recs.forEach((j, i) => {
      if (!j) return;
      const r = JSON.parse(j);
      const pid = Number(r.o?.split(":").at(-1));
      by.set(pid, [...(by.get(pid) ?? []), [ids[i], r.b]]);
    });
    return by;
  };
  const frozen = {};
  let lastThaw = 0;
  const takenOver = { freezes: 0, sessions: 0 };
  const checks = [];
  const freezing = (async () => {
    const from = Date.now();
    for (const at of freezeMoments) {
      await sleep(Math.max(0, from + at - Date.now()));
      const processor = (r) => !r.name.startsWith("enqueue");
      let hit;
      let claims = new Map();
      for (const end = Date.now() + 3_000; !hit && Date.now() < end; await sleep(100)) {
        claims = await claimsByPid().catch(() => new Map());
        hit = supervisor.freezeOne((r, pid) => processor(r) && claims.has(pid), FREEZE_MS);
      }
      hit ??= supervisor.freezeOne(processor, FREEZE_MS);
      if (!hit) continue;
      frozen[hit.name] = (frozen[hit.name] ?? 0) + 1;
      lastThaw = Date.now() + FREEZE_MS;
      const held = claims.get(hit.pid) ?? [];
      if (held.length === 0) continue;
      checks.push(
        (async () => {
          await sleep(FREEZE_MS - 300);
          const now = await admin.hmget(`{${prefix}}:rec`, ...held.map(([id]) => id));
          const moved = held.filter(([, b], i) => {
            const r = now[i] ? JSON.parse(now[i]) : undefined;
            return !(r?.s === "c" && r.b === b);
          }).length;
          if (moved > 0) {
            takenOver.freezes++;
            takenOver.sessions += moved;
          }
          say(
            `${hit.name} (pid ${hit.pid}) frozen with ${held.length} claimed: ${moved} taken over`,
          );
        })().catch(() => undefined),
      );
    }
    await sleep(Math.max(0, lastThaw - Date.now())); // thawed before the others are stopped
    await Promise.all(checks);
  })();
  const phase = await killPhase({
    supervisor,
    kills,
    phaseMs,
    rand: rng(seed * 7 + 3),
    log: say,
    t0,
  });
  const restarted = await restart;
  await freezing;
  say("kill phase over: enqueuers finish, the others stop");
  const stopStart = Date.now();
  fakes.stopFaults();
  await supervisor.stop({ graceMs: 8000 });
  await fakes.close();

  const cli = (args) =>
    execFileSync(process.execPath, [bin, ...args], {
      env: baseEnv,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
  const stopSeconds = (Date.now() - stopStart) / 1000;
  let stats = JSON.parse(cli(["stats", "--json"]));
  const drainStart = Date.now();
  while (stats.scored + stats.dead < stats.sessions && Date.now() - drainStart < 120_000) {
    cli(["process", "--engine", "local", "--quiet"]);
    stats = JSON.parse(cli(["stats", "--json"]));
    if (stats.scored + stats.dead < stats.sessions) await sleep(500);
  }
  const listing = cli(["results", "--format", "ndjson", "--quiet"])
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const report = await checkRedisRun({
    redis: admin,
    prefix,
    ids: sessions.map((s) => s.sessionId),
    prepared,
    fake: { libs: { lib, fake }, model: fakes.model, threshold: fakes.flaky.settings.threshold },
    stats,
    listing,
  });
  const violations = [...report.violations];
  if (
    restarted.after.sessions < restarted.before.sessions ||
    restarted.after.recorded < restarted.before.recorded
  )
    violations.push(
      `restart lost writes: ${JSON.stringify(restarted.before)} before, ${JSON.stringify(restarted.after)} after`,
    );
  const summary = {
    mode: "redis",
    seed,
    kills: phase.done,
    killsByRole: phase.killsByRole,
    killPhaseSeconds: Math.round(phase.seconds),
    stopSeconds: Math.round(stopSeconds),
    drainSeconds: Math.round((Date.now() - drainStart) / 1000),
    freezes: Object.values(frozen).reduce((a, b) => a + b, 0),
    freezesByRole: frozen,
    takenOverWhileFrozen: takenOver,
    seconds: Math.round((Date.now() - t0) / 1000),
    redisRestart: restarted,
    ...report,
    reportedByProcessors: reported,
    faultsInjected: fakes.faultsInjected(),
    fakeRequests: fakes.flaky.requests.length,
    exits: Object.fromEntries(supervisor.roles.map((r) => [r.name, r.exits])),
    violations,
    ok: violations.length === 0,
  };
  admin.disconnect();
  await redis.shutdown();
  if (summary.ok && !keep) await rm(dir, { recursive: true, force: true });
  else say(`run kept in ${dir} (redis-server's AOF in redis/; start it with redis/redis.conf)`);
  return { summary, roles: supervisor.roles };
}

export function printRedisSummary(s, roles, out) {
  const line = (k, val) => out.write(`  ${k.padEnd(26)} ${val}\n`);
  out.write(
    `torture --redis seed ${s.seed}: ${s.ok ? "OK" : "FAILED"} in ${s.seconds}s (kill phase ${s.killPhaseSeconds}s, stop ${s.stopSeconds}s, drain and checks ${s.drainSeconds}s)\n`,
  );
  line(
    "kills",
    `${s.kills} (${Object.entries(s.killsByRole)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
  );
  line(
    "freezes (SIGSTOP 8 s)",
    `${s.freezes} (${Object.entries(s.freezesByRole)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
  );
  line(
    "taken over while frozen",
    `${s.takenOverWhileFrozen.sessions} sessions in ${s.takenOverWhileFrozen.freezes} freezes`,
  );
  const r = s.redisRestart;
  line(
    "redis restart",
    `SIGKILL at ${r.atSeconds}s, down ${r.downMs} ms; before ${r.before.sessions} sessions / ${r.before.recorded} results, after ${r.after.sessions} / ${r.after.recorded}`,
  );
  line("sessions", `${s.sessions} generated, ${s.presentOnce} present exactly once`);
  for (const k of [
    "lost",
    "unknown",
    "unfinished",
    "withoutResult",
    "wrongFeatures",
    "wrongPayload",
    "listingMismatch",
  ])
    line(k, s[k]);
  line(
    "final results",
    `${s.finalResults} (scored ${s.scored}, dead ${s.dead}) ${JSON.stringify(s.bySource)} ${JSON.stringify(s.decisions)}`,
  );
  line(
    "result recordings",
    `${s.recordings} (tscored + tdead), double-recorded ${s.doubleRecorded}`,
  );
  line("results --format ndjson", `${s.resultLines} lines`);
  line("batches / retries", `${s.batches} / ${s.retries}`);
  const p = s.reportedByProcessors;
  line(
    "processors reported",
    `scored ${p.scored}, dead ${p.dead}, retried ${p.retried}, late results dropped ${p.lost}`,
  );
  line("fake requests / faults", `${s.fakeRequests} / ${s.faultsInjected}`);
  printRolesAndViolations(s, roles, out, line);
}
