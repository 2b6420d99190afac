// The torture run's children: each role is a loop that runs the built binary again and again
// (re-running after a SIGKILL), so the harness can kill any of them at any moment.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * role: { name, args(): string[], env, input?(): string | undefined (undefined: role finished),
 *         onExit?(code, signal), pauseMs: [min, max], gate?(): boolean (may start a run now),
 *         onStdout?(text, code, signal): the run's whole stdout (ignored when absent) }
 */
export function createSupervisor({ bin, rand, log }) {
  const roles = [];
  let stopping = false;

  function runOnce(role) {
    const input = role.input?.();
    if (role.input && input === undefined) return undefined;
    const child = spawn(process.execPath, [bin, ...role.args()], {
      env: role.env,
      stdio: [input === undefined ? "ignore" : "pipe", role.onStdout ? "pipe" : "ignore", "pipe"],
    });
    const stdout = [];
    child.stdout?.on("data", (d) => stdout.push(d));
    const stderr = [];
    child.stderr.on("data", (d) => {
      stderr.push(d);
      if (stderr.length > 64) stderr.shift();
    });
    if (input !== undefined) {
      child.stdin.on("error", () => undefined); // EPIPE once killed
      child.stdin.end(input);
    }
    role.child = child;
    role.runs++;
    return new Promise((resolve) => {
      child.on("close", (code, signal) => {
        role.child = undefined;
        const text = Buffer.concat(stderr).toString("utf8");
        const key = signal ?? String(code);
        role.exits[key] = (role.exits[key] ?? 0) + 1;
        if (code !== 0 && !signal) role.lastError = text.trim().split("\n").slice(-3).join(" | ");
        for (const line of text.split("\n")) {
          if (/corrupt record|cannot read the record|Error:|at .*\.js:\d+/.test(line)) {
            role.notes.push(line.trim().slice(0, 300));
          }
        }
        role.onStdout?.(Buffer.concat(stdout).toString("utf8"), code, signal);
        role.onExit?.(code, signal);
        resolve();
      });
    });
  }

  async function loop(role) {
    while (!stopping || role.finishAfterStop) {
      if (role.gate && !role.gate()) {
        await sleep(50);
        continue;
      }
      const run = runOnce(role);
      if (!run) return;
      await run;
      const [lo, hi] = role.pauseMs;
      await sleep(lo + Math.floor(rand() * (hi - lo)));
    }
  }

  return {
    roles,
    add(role) {
      Object.assign(role, { runs: 0, kills: 0, exits: {}, notes: [], child: undefined });
      roles.push(role);
      role.done = loop(role).catch((err) => log(`role ${role.name} crashed: ${err.stack}`));
    },
    /**
     * SIGKILLs one running child chosen at random (by role.killWeight, default 1: long-lived
     * children would otherwise take most kills); the name of its role, or undefined.
     */
    killOne() {
      const running = roles.filter(
        (r) => r.child?.exitCode === null && r.child.signalCode === null,
      );
      const total = running.reduce((a, r) => a + (r.killWeight ?? 1), 0);
      if (total === 0) return undefined;
      let pick = rand() * total;
      let role = running.at(-1);
      for (const r of running) {
        pick -= r.killWeight ?? 1;
        if (pick < 0) {
          role = r;
          break;
        }
      }
      if (!role.child.kill("SIGKILL")) return undefined;
      role.kills++;
      return role.name;
    },
    /**
     * SIGSTOPs one running child that `which(role, pid)` accepts, chosen at random, and SIGCONTs
     * it `ms` later (a processor frozen past its lease: its batch is taken over while it
     * sleeps, and its late answer must be dropped); { name, pid }, or undefined.
     */
    freezeOne(which, ms) {
      const running = roles.filter(
        (r) => r.child?.exitCode === null && r.child.signalCode === null && which(r, r.child.pid),
      );
      if (running.length === 0) return undefined;
      const role = running[Math.floor(rand() * running.length)];
      const child = role.child;
      if (!child.kill("SIGSTOP")) return undefined;
      role.freezes = (role.freezes ?? 0) + 1;
      setTimeout(() => child.kill("SIGCONT"), ms);
      return { name: role.name, pid: child.pid };
    },
    /** No new runs except for roles that must finish (enqueuers); waits for the rest. */
    async stop({ graceMs }) {
      stopping = true;
      for (const r of roles) if (!r.finishAfterStop && r.stopSignal) r.child?.kill(r.stopSignal);
      const others = roles.filter((r) => !r.finishAfterStop);
      const timer = setTimeout(() => {
        for (const r of others) r.child?.kill("SIGKILL");
      }, graceMs);
      await Promise.all(roles.map((r) => r.done));
      clearTimeout(timer);
    },
  };
}

/**
 * The kill phase: `kills` moments drawn uniformly over `phaseMs` (seeded), each SIGKILLs a
 * random running child of `supervisor`. Resolves with the kills by role and the phase's length.
 */
export async function killPhase({ supervisor, kills, phaseMs, rand, log, t0 }) {
  const moments = Array.from({ length: kills }, () => rand() * phaseMs).sort((a, b) => a - b);
  const phaseStart = Date.now();
  const killsByRole = {};
  let done = 0;
  for (const at of moments) {
    const wait = phaseStart + at - Date.now();
    if (wait > 0) await sleep(wait);
    let victim = supervisor.killOne();
    while (!victim) {
      await sleep(20);
      victim = supervisor.killOne();
    }
    killsByRole[victim] = (killsByRole[victim] ?? 0) + 1;
    if (++done % 25 === 0) log(`${done}/${kills} kills, ${Math.round((Date.now() - t0) / 1000)}s`);
  }
  return { done, killsByRole, seconds: (Date.now() - phaseStart) / 1000 };
}

/** The summary's last lines, alike for the file and the Redis run: each role, then violations. */
export function printRolesAndViolations(s, roles, out, line) {
  for (const role of roles) {
    const notes = role.notes.length
      ? `, ${role.notes.length} error lines, e.g. ${role.notes[0]}`
      : "";
    line(`role ${role.name}`, `${role.runs} runs, exits ${JSON.stringify(role.exits)}${notes}`);
  }
  if (s.violations.length > 0) {
    out.write(`violations (${s.violations.length}):\n`);
    for (const v of s.violations.slice(0, 40)) out.write(`  ${v}\n`);
  }
}

/**
 * The environment every child runs in: its own HOME and data dir inside the run's temp dir (no
 * settings of the operator's), the queue under test, no Woodwide account; `extra` on top.
 */
export function childEnv(dir, queue, extra = {}) {
  return {
    ...process.env,
    HOME: join(dir, "home"),
    XDG_DATA_HOME: join(dir, "data"),
    PLAYPROOF_QUEUE: queue,
    WOODWIDE_API_KEY: "",
    PLAYPROOF_MODEL_ID: "",
    ...extra,
  };
}
