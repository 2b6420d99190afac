/**
 * A private tmux server (its socket in the test's temp dir: a developer's tmux is never touched
 * and nothing is left behind) running one command in a real terminal, for what only a TTY
 * shows: the live status line, Ctrl-C.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

export const TMUX = "/usr/bin/tmux";

/**
 * Runs `argv` with `env` in a 120x30 tmux pane. The wrapper writes the exit status to a file
 * (the pane stays open after it), and traps INT so that only the command sees Ctrl-C.
 */
export async function tmuxSession(dir: string, env: Record<string, string>, argv: string[]) {
  const socket = join(dir, "tmux.sock"); // a private server, removed with the temp dir
  const exitFile = join(dir, "exit-status");
  const script = join(dir, "run.sh");
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`);
  await writeFile(
    script,
    [
      "#!/bin/sh",
      "trap true INT",
      "unset CI",
      ...exports,
      `${argv.map(q).join(" ")}`,
      `echo $? > ${q(exitFile)}`,
    ].join("\n"),
  );
  await chmod(script, 0o755);
  const tmux = (...args: string[]) => execa(TMUX, ["-S", socket, ...args], { reject: false });
  const started = await tmux("new-session", "-d", "-s", "w", "-x", "120", "-y", "30", script);
  if (started.exitCode !== 0) throw new Error(`tmux: ${started.stderr}`);
  await tmux("set-option", "-t", "w", "remain-on-exit", "on");
  return {
    screen: async () => (await tmux("capture-pane", "-p", "-t", "w")).stdout,
    keys: (...keys: string[]) => tmux("send-keys", "-t", "w", ...keys),
    exitStatus: () =>
      readFile(exitFile, "utf8").then(
        (s) => Number(s.trim()),
        () => undefined,
      ),
    kill: () => tmux("kill-server"),
  };
}
