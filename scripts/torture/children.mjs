// The torture run's children: each role is a loop that runs the built binary again and again
// (re-running after a SIGKILL), so the harness can kill any of them at any moment.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * role: { name, args(): string[], env, input?(): string | undefined (undefined: role finished),
 *         onExit?(code, signal), pauseMs: [min, max], gate?(): boolean (may start a run now) }
 */
export function createSupervisor({ bin, rand, log }) {
  const roles = [];
  let stopping = false;

  function runOnce(role) {
    const input = role.input?.();
    if (role.input && input === undefined) return undefined;
    const child = spawn(process.execPath, [bin, ...role.args()], {
      env: role.env,
      stdio: [input === undefined ? "ignore" : "pipe", "ignore", "pipe"],
    });
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
