import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { fileBackend, type TestBackend } from "./backends.js";
import { tempDir } from "./temp.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "playproof-batch.js");
export const EVAL_DIR = resolve(ROOT, "..", "shared", "eval");

/**
 * A private world for the built binary: its own queue (on backend `b`: `<dir>/queue.jsonl` or a
 * Redis URL of its own), config dir and HOME.
 */
export async function cliWorld(
  extraEnv: Record<string, string> = {},
  b: TestBackend = fileBackend,
) {
  const dir = await tempDir("ppb-e2e-");
  const home = join(dir, "home");
  await mkdir(home, { recursive: true });
  const env = {
    HOME: home,
    XDG_DATA_HOME: join(dir, "data"),
    PLAYPROOF_CONFIG_DIR: join(dir, "config"),
    PLAYPROOF_QUEUE: b.queue(dir),
    WOODWIDE_API_KEY: "",
    PLAYPROOF_MODEL_ID: "",
    ...extraEnv,
  };
  const run = (args: string[], opts: { input?: string } = {}) =>
    execa("node", [BIN, ...args], {
      env,
      extendEnv: true,
      reject: false,
      ...(opts.input === undefined ? { stdin: "ignore" as const } : { input: opts.input }),
    });
  return { dir, env, queue: env.PLAYPROOF_QUEUE, kind: b.kind, run };
}
