import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ConfigFile,
  type ConfigSources,
  configDir,
  configFilePath,
  defaultQueuePath,
  effectiveValue,
  insecureDirWarning,
  openConfigFile,
  readConfigValues,
  resolveSettings,
} from "../src/config.js";
import { CONFIG_KEYS } from "../src/config-keys.js";
import { CliError } from "../src/errors.js";
import { configGet, configList, configSet } from "../src/ops/config.js";
import { tempDir } from "./support/temp.js";

// Issue 8: every config-file error names the file and what to do; a config directory other
// users may write to is warned about.
async function configWith(text: string | undefined, mode = 0o700) {
  const dir = join(await tempDir("ppb-config-"), "cfg");
  await mkdir(dir, { mode });
  await chmod(dir, mode); // mkdir's mode is filtered by the umask
  if (text !== undefined) await writeFile(join(dir, "config.json"), text);
  return { dir, path: join(dir, "config.json"), env: { PLAYPROOF_CONFIG_DIR: dir } };
}

function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error("expected a CliError");
}

const START_OVER =
  "fix it, or remove it to start over (`playproof-batch config set` writes a new one)";

describe("readConfigValues: every error names the file and what to do", () => {
  it.each([
    ["[1,2]", "holds an array, not a JSON object of settings"],
    ["null", "holds null, not a JSON object of settings"],
    ['"text"', "holds a string, not a JSON object of settings"],
    ["7", "holds a number, not a JSON object of settings"],
  ])("%s: %s (exit 78, configuration)", async (text, what) => {
    const c = await configWith(text);
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toBe(`the config file ${c.path} ${what}: ${START_OVER}`);
    expect(err.exitCode).toBe(78);
  });

  it("corrupt JSON: the parser's words, the file, what to do (exit 78)", async () => {
    const c = await configWith('{"process.batchSize": 5,');
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toMatch(
      new RegExp(`^the config file ${c.path} is not valid JSON \\(.+\\): fix it, or remove it`),
    );
    expect(err.exitCode).toBe(78);
  });

  it("an unreadable file (a directory in its place): exit 74 (local I/O), names it", async () => {
    const c = await configWith(undefined);
    await mkdir(c.path);
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toMatch(
      new RegExp(`^cannot read the config file ${c.path}: EISDIR.*: check its permissions`),
    );
    expect(err.exitCode).toBe(74);
  });

  it("no file is no settings; an object is read as it is", async () => {
    expect(readConfigValues((await configWith(undefined)).env)).toEqual({});
    const c = await configWith('{"process.batchSize": 5}');
    expect(readConfigValues(c.env)).toEqual({ "process.batchSize": 5 });
  });
});

describe("openConfigFile: conf never sees a file it would mangle", () => {
  it("refuses [1,2] and leaves the file as it was (conf would rewrite it as an object)", async () => {
    const c = await configWith("[1,2]");
    await expect(openConfigFile(c.env)).rejects.toThrow(
      `the config file ${c.path} holds an array, not a JSON object of settings`,
    );
    expect(await readFile(c.path, "utf8")).toBe("[1,2]");
  });

  it("refuses corrupt JSON naming the file", async () => {
    const c = await configWith("{");
    await expect(openConfigFile(c.env)).rejects.toThrow(`the config file ${c.path} is not valid`);
  });
});

describe("a config directory writable by every user", () => {
  it("is warned about, naming the directory and the chmod that fixes it", async () => {
    const c = await configWith('{"process.batchSize": 5}', 0o777);
    const warnings: string[] = [];
    expect(readConfigValues(c.env, (m) => warnings.push(m))).toEqual({ "process.batchSize": 5 });
    expect(warnings).toEqual([
      `the config directory ${c.dir} is writable by every user (mode 0777), so anyone on this machine can change your settings: run \`chmod 700 ${c.dir}\``,
    ]);
  });

  it.each([
    [0o700, undefined],
    [0o770, undefined],
    [0o1777, "mode 1777"],
    [0o703, "mode 0703"],
  ])("mode %o: %s", async (mode, want) => {
    const c = await configWith(undefined, mode);
    const warning = insecureDirWarning(c.dir);
    if (want === undefined) expect(warning).toBeUndefined();
    else expect(warning).toContain(want);
  });

  it("a directory that does not exist yet is no warning", () => {
    expect(insecureDirWarning("/nonexistent/playproof-batch")).toBeUndefined();
  });
});

describe("configSet: a failed write names the file", () => {
  it("exit 74 (local I/O), the file, the cause and what to do", () => {
    const file = {
      path: "/etc/ro/config.json",
      set() {
        throw new Error("EROFS: read-only file system");
      },
    } as unknown as ConfigFile;
    const err = thrown(() => configSet(file, "process.batchSize", "7"));
    expect(err.message).toBe(
      "cannot write the config file /etc/ro/config.json: EROFS: read-only file system: check the permissions of /etc/ro, or set PLAYPROOF_CONFIG_DIR to another directory",
    );
    expect(err.exitCode).toBe(74);
  });
});

// Issue 9, item 12: relative XDG_* values are ignored, as the XDG Base Directory spec says.
describe("XDG base directories", () => {
  it.each([
    [{ HOME: "/h" }, "/h/.config/playproof-batch", "/h/.local/share/playproof-batch/queue.jsonl"],
    [
      { HOME: "/h", XDG_CONFIG_HOME: "/x/cfg", XDG_DATA_HOME: "/x/data" },
      "/x/cfg/playproof-batch",
      "/x/data/playproof-batch/queue.jsonl",
    ],
    [
      { HOME: "/h", XDG_CONFIG_HOME: "cfg", XDG_DATA_HOME: "./data" },
      "/h/.config/playproof-batch",
      "/h/.local/share/playproof-batch/queue.jsonl",
    ],
    [
      { HOME: "/h", XDG_CONFIG_HOME: "", XDG_DATA_HOME: "" },
      "/h/.config/playproof-batch",
      "/h/.local/share/playproof-batch/queue.jsonl",
    ],
    [{ HOME: "/h", PLAYPROOF_CONFIG_DIR: "/p", XDG_CONFIG_HOME: "/x" }, "/p", undefined],
  ])("%j", (env, dir, queue) => {
    expect(configDir(env)).toBe(dir);
    expect(configFilePath(env)).toBe(`${dir}/config.json`);
    if (queue) expect(defaultQueuePath(env)).toBe(queue);
  });
});

const sources = (o: Partial<ConfigSources> = {}): ConfigSources => ({
  flags: {},
  env: { HOME: "/h" },
  file: {},
  filePath: "/c/config.json",
  ...o,
});

describe("effectiveValue: flag > environment > config file > default, with the origin", () => {
  const key = "woodwide.baseUrl";
  it.each([
    [sources(), "https://api.woodwide.ai", "default"],
    [sources({ file: { [key]: "http://f" } }), "http://f", "file"],
    [sources({ file: { [key]: null as unknown as string } }), "https://api.woodwide.ai", "default"],
    [
      sources({ env: { WOODWIDE_BASE_URL: "http://e" }, file: { [key]: "http://f" } }),
      "http://e",
      "env",
    ],
    [sources({ env: { WOODWIDE_BASE_URL: "" }, file: { [key]: "http://f" } }), "http://f", "file"],
    [
      sources({ flags: { [key]: "http://g" }, env: { WOODWIDE_BASE_URL: "http://e" } }),
      "http://g",
      "flag",
    ],
  ])("%#: %s from %s", (s, raw, origin) => {
    expect(effectiveValue(key, s)).toMatchObject({ key, raw, origin });
  });

  it("names the variable; the default queue is in the XDG data directory", () => {
    expect(effectiveValue("queue.path", sources({ env: { PLAYPROOF_QUEUE: "/q" } }))).toEqual({
      key: "queue.path",
      raw: "/q",
      origin: "env",
      envName: "PLAYPROOF_QUEUE",
    });
    expect(effectiveValue("queue.path", sources())).toEqual({
      key: "queue.path",
      raw: "/h/.local/share/playproof-batch/queue.jsonl",
      origin: "default",
    });
  });
});

const FIX_TIMEOUT =
  "fix it with `playproof-batch config set woodwide.timeout VALUE`, or remove it with `playproof-batch config unset woodwide.timeout`";

describe("resolveSettings: each setting is checked when it is read", () => {
  it("a bad woodwide.timeout in the file does not stop reading other settings", () => {
    const s = resolveSettings({}, { HOME: "/h" }, { "woodwide.timeout": "soon" }, "/c/config.json");
    expect(s.queuePath).toBe("/h/.local/share/playproof-batch/queue.jsonl");
    expect(s.batchSize).toBe(50);
    expect(s.retentionMs).toBe(86_400_000);
    expect(s.woodwide.baseUrl).toBe("https://api.woodwide.ai");
    for (let i = 0; i < 2; i++) {
      const err = thrown(() => s.woodwide.timeoutMs);
      expect(err.message).toBe(
        `woodwide.timeout in the config file /c/config.json: expected a duration such as 30s, 5m or 24h, got soon: ${FIX_TIMEOUT}`,
      );
      expect(err.exitCode).toBe(78);
    }
  });

  it.each([
    [
      "file",
      {},
      {},
      { "process.batchSize": 0 },
      "process.batchSize in the config file /c/config.json: expected a whole number >= 1, got 0: fix it with `playproof-batch config set process.batchSize VALUE`, or remove it with `playproof-batch config unset process.batchSize`",
      78,
    ],
    [
      "env",
      {},
      { WOODWIDE_BASE_URL: "ftp://w" },
      {},
      "WOODWIDE_BASE_URL (woodwide.baseUrl): expected an http:// or https:// URL, such as https://api.woodwide.ai, got ftp://w: fix or unset WOODWIDE_BASE_URL",
      78,
    ],
    [
      "flag",
      { "process.batchSize": "many" },
      {},
      { "process.batchSize": 5 },
      "process.batchSize: expected a whole number >= 1, got many",
      2,
    ],
  ] as const)("a bad value from the %s", (_origin, flags, env, file, message, code) => {
    const s = resolveSettings(flags, { HOME: "/h", ...env }, file, "/c/config.json");
    const err = thrown(() => (_origin === "env" ? s.woodwide.baseUrl : s.batchSize));
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(code);
  });

  it("a queue URL's password is not in the message; a JSON value of the wrong type is named", () => {
    const s = resolveSettings(
      {},
      { PLAYPROOF_QUEUE: "http://op:hunter2@q:1" },
      { "process.attempts": [3] as unknown as number },
      "/c/config.json",
    );
    expect(thrown(() => s.queuePath).message).toBe(
      "PLAYPROOF_QUEUE (queue.path): expected a file path, or a redis:// or rediss:// URL (redis://[user:pass@]host:port[/db]), got http://op:****@q:1: fix or unset PLAYPROOF_QUEUE",
    );
    expect(thrown(() => s.attempts).message).toMatch(
      /^process\.attempts in the config file \/c\/config\.json: expected a value, got \[3\]: /,
    );
  });

  it("thresholds: review above fail names both origins", () => {
    const s = resolveSettings({}, {}, { "scoring.review": 3 }, "/c/config.json");
    const err = thrown(() => s.thresholds);
    expect(err.message).toBe(
      "scoring.review (3, from the config file /c/config.json) must not exceed scoring.fail (2.5, from the default)",
    );
    expect(err.exitCode).toBe(78);
  });

  it("good values from every origin, converted", () => {
    const s = resolveSettings(
      { "process.engine": "local", "watch.interval": "5s" },
      { WOODWIDE_API_KEY: "k", PLAYPROOF_MODEL_ID: "m" },
      { "woodwide.timeout": 5, "process.batchSize": "20", "queue.archive": "off" },
      "/c/config.json",
    );
    expect(JSON.parse(JSON.stringify(s))).toMatchObject({
      engine: "local",
      batchSize: 20,
      archive: "off",
      thresholds: { review: 1, fail: 2.5 },
      woodwide: { apiKey: "k", modelId: "m", timeoutMs: 5_000, mode: "dataset" },
      watch: { intervalMs: 5_000, minBatch: 10, maxWaitMs: 300_000 },
    });
  });
});

describe("configGet / configList: effective values and origins", () => {
  const s = sources({
    flags: { "queue.path": "/flag/q.jsonl" },
    env: { HOME: "/h", WOODWIDE_API_KEY: "ww_live_0123456789abcdef" },
    file: { "woodwide.timeout": "soon", "process.batchSize": 20, "woodwide.apiKey": "file-key" },
  });

  it("get: the winner, redacted when secret", () => {
    expect(configGet(s, "woodwide.apiKey")).toEqual({
      key: "woodwide.apiKey",
      value: "****cdef",
      origin: "env",
      envName: "WOODWIDE_API_KEY",
      secret: true,
      description: "Woodwide API key",
    });
    expect(configGet(s, "queue.path")).toMatchObject({ value: "/flag/q.jsonl", origin: "flag" });
    expect(configGet(s, "process.batchSize")).toMatchObject({ value: 20, origin: "file" });
    expect(configGet(s, "woodwide.modelId")).toMatchObject({
      value: undefined,
      origin: "default",
    });
  });

  it("get: an invalid value is shown with its problem", () => {
    expect(configGet(s, "woodwide.timeout")).toMatchObject({
      value: "soon",
      origin: "file",
      problem: `woodwide.timeout in the config file /c/config.json: expected a duration such as 30s, 5m or 24h, got soon: ${FIX_TIMEOUT}`,
    });
  });

  it("an unknown key: exit 2 and the closest key", () => {
    const err = thrown(() => configGet(s, "woodwide.apikey"));
    expect(err.message).toBe(
      "unknown config key: woodwide.apikey: did you mean woodwide.apiKey? (see `playproof-batch config list`)",
    );
    expect(err.exitCode).toBe(2);
    expect(thrown(() => configGet(s, "no.such")).message).toBe(
      "unknown config key: no.such (see `playproof-batch config list`)",
    );
  });

  it("list: every key once, in the table's order, no secret whole", () => {
    const list = configList(s);
    expect(list.map((e) => e.key)).toEqual(Object.keys(CONFIG_KEYS));
    expect(JSON.stringify(list)).not.toContain("0123456789abcdef");
    expect(JSON.stringify(list)).not.toContain("file-key");
    expect(list.filter((e) => e.problem).map((e) => e.key)).toEqual(["woodwide.timeout"]);
  });
});
