// npm run torture [-- --kills 60 --seconds 60 --sessions 400 --seed 1 --json --keep]
// npm run torture -- --redis [--redis-down 3000 --freezes N ...]: the Redis queue's run
// (issue 11), scripts/torture/redis-run.mjs.
// Issue 8's hostile run as a harness: on one queue in a temp dir, 4 enqueuers, a local and two
// Woodwide processors (a flaky fake with latency and faults, and the defect-1 setting: a server
// answering 503 after 3 s with --attempts 1 --lease 1s --batch-size 1), a watch, and compactions
// (clear --processed --older-than 100000h --yes removes nothing and compacts), with random
// children SIGKILLed at seeded moments and restarted. Then a clean local drain and the checks of
// scripts/torture/check.mjs over every journal generation. Exit 1 on any violation.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { seededRandom as rng } from "../dist/scoring/random.js";
import { checkRun } from "./torture/check.mjs";
import {
  childEnv,
  createSupervisor,
  killPhase,
  printRolesAndViolations,
} from "./torture/children.mjs";
import { fakeTable } from "./torture/expected.mjs";
import { loadFake, startFakes } from "./torture/fakes.mjs";
import { startCapture } from "./torture/generations.mjs";
import { loadLib } from "./torture/lib.mjs";
import { addRoles } from "./torture/roles.mjs";
import { tortureSessions } from "./torture/sessions.mjs";

const root = resolve(import.meta.dirname, "..");
const { values: o } = parseArgs({
  options: {
    kills: { type: "string", default: "60" },
    seconds: { type: "string", default: "60" },
    sessions: { type: "string" },
    seed: { type: "string", default: "1" },
    latency: { type: "string", default: "250" },
    "compact-every": { type: "string", default: "1000" },
    bin: { type: "string", default: join(root, "bin", "playproof-batch.js") },
    defect1: { type: "string", default: "4" },
    json: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    redis: { type: "boolean", default: false },
    "redis-down": { type: "string", default: "3000" },
    freezes: { type: "string" },
  },
});
const kills = Number(o.kills);
const seconds = Number(o.seconds);
const n = Number(o.sessions ?? Math.max(200, Math.round(kills * 6.5)));
const seed = Number(o.seed);
const say = (m) => process.stderr.write(`torture: ${m}\n`);

if (o.redis) {
  // Issue 11: the same hostile run on a Redis queue (scripts/torture/redis-run.mjs).
  const { runRedisTorture, printRedisSummary } = await import("./torture/redis-run.mjs");
  const bin = resolve(o.bin);
  const { summary, roles } = await runRedisTorture({
    bin,
    lib: await loadLib(resolve(bin, "..", "..")),
    fake: await loadFake(root),
    kills,
    seconds,
    n,
    seed,
    latencyMs: Number(o.latency),
    downMs: Number(o["redis-down"]),
    freezes: Number(o.freezes ?? Math.max(3, Math.round(kills / 10))),
    keep: o.keep,
    say,
  });
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  printRedisSummary(summary, roles, o.json ? process.stderr : process.stdout);
  process.exit(summary.ok ? 0 : 1);
}

const t0 = Date.now();
const dir = await mkdtemp(join(tmpdir(), "ppb-torture-"));
const queue = join(dir, "queue.jsonl");
await mkdir(join(dir, "home"));
const bin = resolve(o.bin);
const lib = await loadLib(resolve(bin, "..", ".."));
const fake = await loadFake(root);
const sessions = tortureSessions(n, seed);
const prepared = new Map(sessions.map((s) => [s.sessionId, lib.preparePayload(s)]));
const training = fakeTable(lib, fake, [...prepared.values()].slice(0, 150));
const fakes = await startFakes({
  fake,
  latencyMs: Number(o.latency),
  training: training.rows,
  inputColumns: training.columns.filter((col) => col !== "gameType" && col !== "deviceType"),
  rand: rng(seed * 3 + 1),
});
const capture = startCapture(queue);
// Issue 10: a checkpoint every 32 KiB of journal, so kills land while checkpoints are written
// and every command starts from one (the checker folds the whole journal itself).
const baseEnv = childEnv(dir, queue, { PLAYPROOF_CHECKPOINT_BYTES: "32768" });
const supervisor = createSupervisor({ bin, rand: rng(seed * 5 + 2), log: say });
const phaseMs = seconds * 1000;
addRoles(supervisor, {
  dir,
  baseEnv,
  sessions,
  fakes,
  phaseMs,
  compactEveryMs: Number(o["compact-every"]),
  defect1: Number(o.defect1),
  start: Date.now(),
});
say(`${n} sessions, ${kills} kills over ${seconds}s, seed ${seed}, queue ${queue}`);

// Kill phase: N moments drawn uniformly over the phase, each SIGKILLs a random running child.
const {
  done,
  killsByRole,
  seconds: killPhaseS,
} = await killPhase({ supervisor, kills, phaseMs, rand: rng(seed * 7 + 3), log: say, t0 });
say("kill phase over: enqueuers finish, the others stop");
fakes.stopFaults();
await supervisor.stop({ graceMs: 8000 });
await fakes.close();

// The final clean drain: expired leases and backoffs pass, a local process scores the rest.
const cli = (args) =>
  execFileSync(process.execPath, [bin, ...args], { env: baseEnv, encoding: "utf8" });
let stats = JSON.parse(cli(["stats", "--json"]));
const drainStart = Date.now();
while (stats.scored + stats.dead < stats.sessions && Date.now() - drainStart < 120_000) {
  cli(["process", "--engine", "local", "--quiet"]);
  stats = JSON.parse(cli(["stats", "--json"]));
  if (stats.scored + stats.dead < stats.sessions) await sleep(500);
}
const { generations, abandonedTemps } = await capture.stop();
const quarantine = await readFile(`${queue}.quarantine`, "utf8").catch(() => "");
const report = await checkRun(lib, {
  ids: sessions.map((s) => s.sessionId),
  prepared,
  fake: { lib: fake, model: fakes.model, threshold: fakes.flaky.settings.threshold },
  generations,
  stats,
  quarantine,
});
const summary = {
  seed,
  kills: done,
  killsByRole,
  killPhaseSeconds: Math.round(killPhaseS),
  seconds: Math.round((Date.now() - t0) / 1000),
  ...report,
  abandonedCompactionTemps: abandonedTemps,
  faultsInjected: fakes.faultsInjected(),
  fakeRequests: { flaky: fakes.flaky.requests.length, down: fakes.down.requests.length },
  exits: Object.fromEntries(supervisor.roles.map((r) => [r.name, r.exits])),
  ok: report.violations.length === 0,
};
printSummary(summary, supervisor.roles);
if (summary.ok && !o.keep) await rm(dir, { recursive: true, force: true });
else say(`queue kept in ${dir}`);
process.exit(summary.ok ? 0 : 1);

function printSummary(s, roles) {
  if (o.json) process.stdout.write(`${JSON.stringify(s)}\n`);
  const out = o.json ? process.stderr : process.stdout;
  const line = (k, val) => out.write(`  ${k.padEnd(22)} ${val}\n`);
  out.write(`torture seed ${s.seed}: ${s.ok ? "OK" : "FAILED"} in ${s.seconds}s\n`);
  line(
    "kills",
    `${s.kills} (${Object.entries(s.killsByRole)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
  );
  line("sessions enqueued", `${s.enqueued} of ${s.sessions}`);
  line("present exactly once", s.presentOnce);
  for (const k of [
    "lost",
    "duplicated",
    "notEnqueued",
    "unfinished",
    "doubleScored",
    "wrongPayload",
  ])
    line(k, s[k]);
  for (const k of ["wrongFeatures", "snapshotMismatch", "corruptLines", "generationGaps"])
    line(k, s[k]);
  line(
    "generations",
    `${s.generations} (abandoned compaction temps ${s.abandonedCompactionTemps})`,
  );
  line(
    "final events",
    `${s.finalEvents} ${JSON.stringify(s.bySource)} ${JSON.stringify(s.decisions)}`,
  );
  line("quarantine torn tails", s.quarantineTornTails);
  line("batches", `${s.batches} ${JSON.stringify(s.batchOutcomes)}`);
  line("fake requests", `flaky ${s.fakeRequests.flaky}, down ${s.fakeRequests.down}`);
  printRolesAndViolations(s, roles, out, line);
}
