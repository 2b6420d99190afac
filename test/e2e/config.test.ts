import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { logLines } from "../support/log-lines.js";
import { SCRIPT } from "../support/pty.js";
import { ndjson } from "../support/sessions.js";

let cleanup: (() => unknown) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** The binary on a real terminal (util-linux `script`), typing into it through `write`. */
function onTerminal(env: Record<string, string>, args: string[]) {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = `stty cols 80 rows 24; exec ${[process.execPath, BIN, ...args].map(q).join(" ")}`;
  const child = execa(SCRIPT, ["-qfec", command, "/dev/null"], {
    env,
    extendEnv: true,
    reject: false,
    stdin: "pipe",
    timeout: 20_000,
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return {
    output: () => output,
    write: (text: string) => child.stdin?.write(text),
    done: child,
    kill: () => child.kill("SIGKILL"),
  };
}

// Issue 8, through the built binary: config-file errors name the file and what to do, and a
// config directory every user may write to is warned about (not refused).
async function worldWithConfig(text: string, mode = 0o700) {
  const w = await cliWorld();
  const dir = w.env.PLAYPROOF_CONFIG_DIR;
  await mkdir(dir, { recursive: true });
  await chmod(dir, mode);
  const file = join(dir, "config.json");
  await writeFile(file, text);
  return { ...w, dir, file };
}

describe("config file errors (built binary)", () => {
  it("config set on a corrupt file: exit 78 naming the file, which is left alone", async () => {
    const w = await worldWithConfig('{"process.batchSize": 5,');
    const r = await w.run(["config", "set", "process.batchSize", "7"]);
    expect(r.exitCode).toBe(78);
    expect(r.stdout).toBe("");
    expect(logLines(r.stderr).join("\n")).toMatch(
      new RegExp(
        `^playproof-batch: the config file ${w.file} is not valid JSON \\(.+\\): fix it, or remove it to start over`,
      ),
    );
    expect(await readFile(w.file, "utf8")).toBe('{"process.batchSize": 5,');
  });

  it("config list on [1,2]: exit 78 naming the file, which is not rewritten", async () => {
    const w = await worldWithConfig("[1,2]");
    for (const args of [
      ["config", "list"],
      ["config", "set", "process.batchSize", "7"],
      ["stats"],
    ]) {
      const r = await w.run(args);
      expect(r.exitCode).toBe(78);
      expect(r.stdout).toBe("");
      expect(logLines(r.stderr)).toEqual([
        `playproof-batch: the config file ${w.file} holds an array, not a JSON object of settings: fix it, or remove it to start over (\`playproof-batch config set\` writes a new one)`,
      ]);
    }
    expect(await readFile(w.file, "utf8")).toBe("[1,2]");
  });

  it("a world-writable config directory: a warning naming it and chmod; the command still runs", async () => {
    const w = await worldWithConfig('{"process.batchSize": 5}', 0o777);
    const warning = `warning: the config directory ${w.dir} is writable by every user (mode 0777), so anyone on this machine can change your settings: run \`chmod 700 ${w.dir}\``;
    const list = await w.run(["config", "get", "process.batchSize"]);
    expect(list).toMatchObject({ exitCode: 0, stdout: "5" });
    expect(logLines(list.stderr)).toEqual([warning]);
    expect((await w.run(["enqueue"], { input: ndjson(1) })).exitCode).toBe(0); // a queue exists
    const stats = await w.run(["stats", "--json"]);
    expect(stats.exitCode).toBe(0);
    expect(logLines(stats.stderr)).toEqual([warning]);
    await chmod(w.dir, 0o700);
    expect((await w.run(["config", "get", "process.batchSize"])).stderr).toBe("");
  });
});

// Issue 9, item 12, through the built binary.
describe("config shows effective values and where they came from (built binary)", () => {
  it("list: a table with the origin column; --json: an array of {key, value, origin, secret}", async () => {
    const w = await cliWorld({
      WOODWIDE_API_KEY: "ww_live_0123456789abcdefSECRET",
      WOODWIDE_BASE_URL: "http://127.0.0.1:9",
    });
    expect((await w.run(["config", "set", "process.batchSize", "20"])).exitCode).toBe(0);
    const flagQueue = join(w.dir, "flag.jsonl");
    const json = await w.run(["--queue", flagQueue, "config", "list", "--json"]);
    expect(json.exitCode).toBe(0);
    const entries = JSON.parse(json.stdout) as Record<string, unknown>[];
    // 22 keys: issue 12 added serve.token, a secret.
    expect(entries).toHaveLength(22);
    const byKey = Object.fromEntries(entries.map((e) => [e.key, e]));
    expect(byKey["queue.path"]).toEqual({
      key: "queue.path",
      value: flagQueue,
      origin: "flag",
      secret: false,
    });
    expect(byKey["woodwide.apiKey"]).toEqual({
      key: "woodwide.apiKey",
      value: "****CRET",
      origin: "env",
      secret: true,
    });
    expect(byKey["woodwide.baseUrl"]).toMatchObject({ value: "http://127.0.0.1:9", origin: "env" });
    expect(byKey["process.batchSize"]).toMatchObject({ value: 20, origin: "file" });
    expect(byKey["woodwide.modelId"]).toMatchObject({ value: null, origin: "default" });
    expect(byKey["watch.maxWait"]).toMatchObject({ value: "5m", origin: "default" });
    expect(byKey["serve.token"]).toEqual({
      key: "serve.token",
      value: null,
      origin: "default",
      secret: true,
    });

    const table = await w.run(["config", "list"]);
    expect(table.exitCode).toBe(0);
    const row = (key: string) =>
      table.stdout
        .split("\n")
        .find((l) => l.includes(` ${key} `))
        ?.split("│")
        .map((c) => c.trim())
        .filter(Boolean);
    expect(row("queue.path")).toEqual([
      "queue.path",
      w.queue,
      "env PLAYPROOF_QUEUE",
      "queue file path (or a redis:// or rediss:// URL)",
    ]);
    expect(row("woodwide.apiKey")).toEqual([
      "woodwide.apiKey",
      "****CRET",
      "env WOODWIDE_API_KEY",
      "Woodwide API key",
    ]);
    expect(row("process.batchSize")).toEqual([
      "process.batchSize",
      "20",
      "file",
      "sessions per batch",
    ]);
    expect(row("woodwide.modelId")).toEqual([
      "woodwide.modelId",
      "-",
      "default",
      "anomaly model id",
    ]);
    expect(table.stdout).toContain(`file: ${join(w.env.PLAYPROOF_CONFIG_DIR, "config.json")}`);
    for (const out of [json.stdout, json.stderr, table.stdout, table.stderr])
      expect(out).not.toContain("0123456789abcdef");
  });

  it("get: the effective value; -v says where it came from; --json carries the origin", async () => {
    const w = await cliWorld({ WOODWIDE_BASE_URL: "http://127.0.0.1:9" });
    const plain = await w.run(["config", "get", "woodwide.baseUrl"]);
    expect(plain).toMatchObject({ exitCode: 0, stdout: "http://127.0.0.1:9", stderr: "" });
    const verbose = await w.run(["config", "get", "woodwide.baseUrl", "-v"]);
    expect(verbose.stdout).toBe("http://127.0.0.1:9");
    expect(logLines(verbose.stderr)).toEqual([
      "woodwide.baseUrl: from the environment (WOODWIDE_BASE_URL)",
    ]);
    const mode = await w.run(["config", "get", "woodwide.mode", "--json"]);
    expect(JSON.parse(mode.stdout)).toEqual({
      key: "woodwide.mode",
      value: "dataset",
      origin: "default",
      secret: false,
    });
    const unset = await w.run(["config", "get", "woodwide.modelId", "-v"]);
    expect(unset).toMatchObject({ exitCode: 0, stdout: "" });
    expect(logLines(unset.stderr)).toEqual(["woodwide.modelId: not set"]);
  });

  it("a typo: exit 2 and the closest key, for get, set and unset", async () => {
    const w = await cliWorld();
    for (const args of [
      ["config", "get", "woodwide.apikey"],
      ["config", "set", "woodwide.apikey", "k"],
      ["config", "unset", "woodwide.apikey"],
    ]) {
      const r = await w.run(args);
      expect(r.exitCode).toBe(2);
      expect(logLines(r.stderr)).toEqual([
        "playproof-batch: unknown config key: woodwide.apikey: did you mean woodwide.apiKey? (see `playproof-batch config list`)",
      ]);
    }
  });

  it("config list and get create no directory; set does", async () => {
    const w = await cliWorld({ PLAYPROOF_CONFIG_DIR: "", XDG_CONFIG_HOME: "" });
    const configHome = join(w.env.HOME, ".config");
    expect((await w.run(["config", "list"])).exitCode).toBe(0);
    expect((await w.run(["config", "get", "woodwide.mode"])).stdout).toBe("dataset");
    expect((await w.run(["config", "set", "process.batchSize", "zero"])).exitCode).toBe(2);
    expect(existsSync(configHome)).toBe(false);
    expect((await w.run(["config", "set", "process.batchSize", "9"])).exitCode).toBe(0);
    expect(
      JSON.parse(await readFile(join(configHome, "playproof-batch", "config.json"), "utf8")),
    ).toEqual({ "process.batchSize": 9 });
  });
});

describe("a bad value breaks only the commands that read it (built binary)", () => {
  it("woodwide.timeout: stats works, process --engine woodwide exits 78 naming file and key", async () => {
    const w = await worldWithConfig(
      '{"woodwide.timeout": "soon", "woodwide.apiKey": "ww_live_0123456789abcdef", "woodwide.modelId": "m_1"}',
    );
    expect((await w.run(["enqueue"], { input: ndjson(2) })).exitCode).toBe(0);
    const stats = await w.run(["stats", "--json"]);
    expect(stats).toMatchObject({ exitCode: 0, stderr: "" });
    expect(JSON.parse(stats.stdout)).toMatchObject({ due: 2 });
    const r = await w.run(["process", "--engine", "woodwide"]);
    expect(r.exitCode).toBe(78);
    expect(logLines(r.stderr)).toEqual([
      `playproof-batch: woodwide.timeout in the config file ${w.file}: expected a duration such as 30s, 5m or 24h, got soon: fix it with \`playproof-batch config set woodwide.timeout VALUE\`, or remove it with \`playproof-batch config unset woodwide.timeout\``,
    ]);
    const local = await w.run(["process", "--engine", "local", "--json"]);
    expect(local.exitCode).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({ scored: 2 });
    const get = await w.run(["config", "get", "woodwide.timeout"]);
    expect(get).toMatchObject({ exitCode: 0, stdout: "soon" });
    expect(logLines(get.stderr)[0]).toMatch(/^warning: woodwide\.timeout in the config file /);
  });

  it("URLs: http(s) for Woodwide, redis(s) for queues; env and file 78, arguments 2", async () => {
    const w = await cliWorld({ WOODWIDE_API_KEY: "k", PLAYPROOF_MODEL_ID: "m" });
    const set = await w.run(["config", "set", "woodwide.baseUrl", "api.woodwide.ai"]);
    expect(set.exitCode).toBe(2);
    expect(logLines(set.stderr)).toEqual([
      "playproof-batch: woodwide.baseUrl: expected an http:// or https:// URL, such as https://api.woodwide.ai",
    ]);
    const env = await w.run(["process", "--engine", "woodwide"], {});
    expect(env.exitCode).toBe(0); // the default URL is fine (nothing due: no request made)
    const bad = await cliWorld({
      WOODWIDE_BASE_URL: "ftp://x",
      WOODWIDE_API_KEY: "k",
      PLAYPROOF_MODEL_ID: "m",
    });
    expect((await bad.run(["enqueue"], { input: ndjson(1) })).exitCode).toBe(0);
    const refused = await bad.run(["process"]);
    expect(refused.exitCode).toBe(78);
    expect(logLines(refused.stderr)).toEqual([
      "playproof-batch: WOODWIDE_BASE_URL (woodwide.baseUrl): expected an http:// or https:// URL, such as https://api.woodwide.ai, got ftp://x: fix or unset WOODWIDE_BASE_URL",
    ]);

    const flag = await w.run(["stats", "--queue", "http://op:hunter2@q:6379"]);
    expect(flag.exitCode).toBe(2);
    expect(logLines(flag.stderr)).toEqual([
      "playproof-batch: queue.path: expected a file path, or a redis:// or rediss:// URL (redis://[user:pass@]host:port[/db]), got http://op:****@q:6379",
    ]);
    const redis = await w.run(["stats", "--queue", "redis://op:hunter2@q:6379/1?bogus=1"]);
    expect(redis.exitCode).toBe(78);
    expect(logLines(redis.stderr)).toEqual([
      "playproof-batch: --queue is redis://op:****@q:6379/1?bogus=1: unknown parameter bogus (known: prefix, connectTimeout, commandTimeout)",
    ]);
    expect((await w.run(["config", "set", "queue.path", "rediss://q:6380"])).exitCode).toBe(0);
    expect((await w.run(["config", "set", "queue.path", "redis:q"])).exitCode).toBe(2);
  });
});

describe("config set KEY - reads the value from stdin (built binary)", () => {
  it("a pipe: one trailing newline trimmed, the key never echoed", async () => {
    const w = await cliWorld();
    const key = "ww_live_0123456789abcdefSECRET";
    const r = await w.run(["config", "set", "woodwide.apiKey", "-"], { input: `${key}\n` });
    expect(r).toMatchObject({ exitCode: 0, stdout: "" });
    expect(logLines(r.stderr)).toEqual(["woodwide.apiKey = ****CRET"]);
    const file = join(w.env.PLAYPROOF_CONFIG_DIR, "config.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ "woodwide.apiKey": key });
    const crlf = await w.run(["config", "set", "woodwide.modelId", "-"], { input: "m_7\r\n" });
    expect(crlf.exitCode).toBe(0);
    expect((await w.run(["config", "get", "woodwide.modelId"])).stdout).toBe("m_7");
  });

  it("an empty value is refused (exit 2) and nothing is written", async () => {
    const w = await cliWorld();
    for (const input of ["", "\n", undefined]) {
      const r = await w.run(["config", "set", "woodwide.apiKey", "-"], { input });
      expect(r.exitCode).toBe(2);
      expect(logLines(r.stderr)).toEqual([
        "playproof-batch: woodwide.apiKey: no value on stdin: refusing to store an empty value (e.g. `printf '%s\\n' \"$KEY\" | playproof-batch config set woodwide.apiKey -`)",
      ]);
    }
    expect(existsSync(w.env.PLAYPROOF_CONFIG_DIR)).toBe(false);
  });

  it("a terminal: a prompt that does not echo the key", async () => {
    const w = await cliWorld();
    const key = "ww_live_0123456789abcdefPTY1";
    const t = onTerminal(w.env, ["config", "set", "woodwide.apiKey", "-"]);
    cleanup = t.kill;
    await eventually(
      async () => (t.output().includes("woodwide.apiKey:") ? true : undefined),
      15_000,
      "the prompt",
    );
    t.write(`${key}\r`);
    const r = await t.done;
    expect(r.exitCode).toBe(0);
    expect(t.output()).not.toContain("0123456789abcdef");
    expect(t.output()).toContain("woodwide.apiKey = ****PTY1");
    const file = join(w.env.PLAYPROOF_CONFIG_DIR, "config.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ "woodwide.apiKey": key });
  }, 30_000);
});

describe("relative XDG_* values are ignored (built binary)", () => {
  it("XDG_CONFIG_HOME and XDG_DATA_HOME relative: the defaults under HOME, nothing in the cwd", async () => {
    const w = await cliWorld();
    const cwd = join(w.dir, "cwd");
    await mkdir(cwd);
    const env = {
      ...w.env,
      PLAYPROOF_CONFIG_DIR: "",
      PLAYPROOF_QUEUE: "",
      XDG_CONFIG_HOME: "rel-config",
      XDG_DATA_HOME: "rel-data",
    };
    const run = (args: string[], input?: string) =>
      execa("node", [BIN, ...args], { env, cwd, reject: false, input: input ?? "" });
    expect((await run(["config", "set", "process.batchSize", "9"])).exitCode).toBe(0);
    expect((await run(["enqueue"], ndjson(1))).exitCode).toBe(0);
    const q = await run(["config", "get", "queue.path"]);
    expect(q.stdout).toBe(join(w.env.HOME, ".local", "share", "playproof-batch", "queue.jsonl"));
    expect(existsSync(q.stdout)).toBe(true);
    expect(existsSync(join(w.env.HOME, ".config", "playproof-batch", "config.json"))).toBe(true);
    expect(await readdir(cwd)).toEqual([]);
  });
});
