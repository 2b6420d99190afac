import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configSet } from "../src/commands/config.js";
import {
  type ConfigFile,
  insecureDirWarning,
  openConfigFile,
  readConfigValues,
} from "../src/config.js";
import { CliError, ExitCode } from "../src/errors.js";
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
  ])("%s: %s (exit 2)", async (text, what) => {
    const c = await configWith(text);
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toBe(`the config file ${c.path} ${what}: ${START_OVER}`);
    expect(err.exitCode).toBe(ExitCode.usage);
  });

  it("corrupt JSON: the parser's words, the file, what to do (exit 2)", async () => {
    const c = await configWith('{"process.batchSize": 5,');
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toMatch(
      new RegExp(`^the config file ${c.path} is not valid JSON \\(.+\\): fix it, or remove it`),
    );
    expect(err.exitCode).toBe(ExitCode.usage);
  });

  it("an unreadable file (a directory in its place): exit 1, names it", async () => {
    const c = await configWith(undefined);
    await mkdir(c.path);
    const err = thrown(() => readConfigValues(c.env));
    expect(err.message).toMatch(
      new RegExp(`^cannot read the config file ${c.path}: EISDIR.*: check its permissions`),
    );
    expect(err.exitCode).toBe(ExitCode.runtime);
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
  it("exit 1, the file, the cause and what to do", () => {
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
    expect(err.exitCode).toBe(ExitCode.runtime);
  });
});
