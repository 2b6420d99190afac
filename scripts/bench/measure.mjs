// Runs a command under GNU time and returns wall seconds and peak RSS (MiB).
import { spawnSync } from "node:child_process";

export function measure(cmd, args, env = {}) {
  const r = spawnSync("/usr/bin/time", ["-f", "BENCH %e %M %U %S", cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const m = /BENCH ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`could not measure ${cmd} ${args.join(" ")}: ${r.stderr.slice(-500)}`);
  return {
    seconds: Number(m[1]),
    rssMiB: Number(m[2]) / 1024,
    /** User + system CPU seconds (issue 10: work per batch, not wall time). */
    cpu: Number(m[3]) + Number(m[4]),
    status: r.status,
    stderr: r.stderr,
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
