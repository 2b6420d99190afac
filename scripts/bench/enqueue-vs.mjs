// Issue 13: enqueue's throughput beside an earlier commit's (default 2deb8f5, the tree when
// issue 13 was filed), on the same inputs, runs alternated so load drifts hit both alike.
// The earlier commit is built once into .bench/base-<commit> (git worktree, npm ci, build).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeSessions } from "./gen.mjs";
import { measure, median } from "./measure.mjs";

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}`);
}

/** The earlier commit's CLI, built once. */
export function baseCli({ root, work, commit, log }) {
  const dir = join(work, `base-${commit}`);
  const cli = join(dir, "bin", "playproof-batch.js");
  if (existsSync(join(dir, "dist"))) return cli;
  log(`building ${commit} in ${dir} (once)…`);
  if (!existsSync(dir)) sh("git", ["worktree", "add", "--detach", "-f", dir, commit], root);
  sh("npm", ["ci", "--silent", "--no-audit", "--no-fund"], dir);
  sh("npm", ["run", "build", "--silent"], dir);
  return cli;
}

export async function benchEnqueueVs({ root, bin, work, commit, rounds, log }) {
  const base = baseCli({ root, work, commit, log });
  const inputs = [
    [20_000, 30],
    [100_000, 30],
    [5_000, 300],
  ];
  const rows = [];
  for (const [n, points] of inputs) {
    const input = join(work, `sessions-${n}x${points}.ndjson`);
    await stat(input).catch(async () => {
      log(`generating ${n} sessions of ${points} points…`);
      await writeSessions(input, n, points);
    });
    const runs = { base: [], now: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, cli] of [
        ["base", base],
        ["now", bin],
      ]) {
        const queue = join(work, `vs-${name}.jsonl`);
        for (const f of [queue, `${queue}.lock`, `${queue}.checkpoint`])
          await rm(f, { force: true, recursive: true });
        const m = measure("node", [cli, "enqueue", input, "--quiet"], { PLAYPROOF_QUEUE: queue });
        if (m.status !== 0) throw new Error(`${name} enqueue failed: ${m.stderr.slice(-500)}`);
        runs[name].push(m);
      }
    }
    const wall = (name) => median(runs[name].map((m) => m.seconds));
    const cpu = (name) => median(runs[name].map((m) => m.cpu));
    rows.push({
      input: `${n} x ${points}`,
      [`${commit} s`]: wall("base").toFixed(2),
      "now s": wall("now").toFixed(2),
      [`${commit} sessions/s`]: Math.round(n / wall("base")),
      "now sessions/s": Math.round(n / wall("now")),
      "throughput now/base": (wall("base") / wall("now")).toFixed(3),
      "target ≥ 0.9": wall("base") / wall("now") >= 0.9 ? "met" : "NOT met",
      "CPU now/base": (cpu("now") / cpu("base")).toFixed(3),
      rounds,
    });
  }
  return rows;
}
