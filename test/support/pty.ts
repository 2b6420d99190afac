/**
 * A command in a real pseudo-terminal of a chosen size, through util-linux `script` (issue 9:
 * what only a TTY shows, including a TTY that reports 0 columns). The command's pid is written
 * to a file (the shell `exec`s it), so a test can signal it directly.
 */
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

export const SCRIPT = "/usr/bin/script";

export interface PtyOptions {
  cols: number;
  rows: number;
  /** The run is killed (SIGKILL) after this long, whatever happens: a hang cannot hang the suite. */
  killAfterMs: number;
}

export function ptyRun(dir: string, env: Record<string, string>, argv: string[], o: PtyOptions) {
  const pidFile = join(dir, "pty-command.pid");
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = `stty cols ${o.cols} rows ${o.rows}; echo $$ > ${q(pidFile)}; exec ${argv.map(q).join(" ")}`;
  let output = "";
  const child = execa(SCRIPT, ["-qfec", command, "/dev/null"], {
    env,
    extendEnv: true,
    reject: false,
    stdin: "pipe",
    forceKillAfterDelay: false,
  });
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const pid = () =>
    readFile(pidFile, "utf8").then(
      (s) => Number(s.trim()) || undefined,
      () => undefined,
    );
  const guard = setTimeout(async () => {
    const p = await pid();
    if (p) process.kill(p, "SIGKILL");
    child.kill("SIGKILL");
  }, o.killAfterMs);
  const done = child.then((r) => {
    clearTimeout(guard);
    return r;
  });
  return {
    output: () => output,
    pid,
    /** Resolves with `script`'s result; `script -e` exits with the command's status. */
    done,
    /** Resizes the terminal under the command (it gets SIGWINCH), e.g. to 0x0 mid-run. */
    resize: async (cols: number, rows: number) => {
      const p = await pid();
      if (!p) throw new Error("the command has not started");
      const tty = await readlink(`/proc/${p}/fd/2`);
      await execa("stty", ["-F", tty, "cols", String(cols), "rows", String(rows)]);
    },
    signal: async (sig: NodeJS.Signals) => {
      const p = await pid();
      if (!p) throw new Error("the command has not started");
      process.kill(p, sig);
    },
    kill: async () => {
      clearTimeout(guard);
      const p = await pid();
      if (p) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // already gone
        }
      }
      child.kill("SIGKILL");
      await done;
    },
  };
}
