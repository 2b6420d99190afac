import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";

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
  it("config set on a corrupt file: exit 2 naming the file, which is left alone", async () => {
    const w = await worldWithConfig('{"process.batchSize": 5,');
    const r = await w.run(["config", "set", "process.batchSize", "7"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^playproof-batch: the config file ${w.file} is not valid JSON \\(.+\\): fix it, or remove it to start over`,
      ),
    );
    expect(await readFile(w.file, "utf8")).toBe('{"process.batchSize": 5,');
  });

  it("config list on [1,2]: exit 2 naming the file, which is not rewritten", async () => {
    const w = await worldWithConfig("[1,2]");
    for (const args of [
      ["config", "list"],
      ["config", "set", "process.batchSize", "7"],
      ["stats"],
    ]) {
      const r = await w.run(args);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `playproof-batch: the config file ${w.file} holds an array, not a JSON object of settings: fix it, or remove it to start over (\`playproof-batch config set\` writes a new one)`,
      );
    }
    expect(await readFile(w.file, "utf8")).toBe("[1,2]");
  });

  it("a world-writable config directory: a warning naming it and chmod; the command still runs", async () => {
    const w = await worldWithConfig('{"process.batchSize": 5}', 0o777);
    const warning = `warning: the config directory ${w.dir} is writable by every user (mode 0777), so anyone on this machine can change your settings: run \`chmod 700 ${w.dir}\``;
    const list = await w.run(["config", "get", "process.batchSize"]);
    expect(list).toMatchObject({ exitCode: 0, stdout: "5", stderr: warning });
    const stats = await w.run(["stats", "--json"]);
    expect(stats.exitCode).toBe(0);
    expect(stats.stderr).toBe(warning);
    await chmod(w.dir, 0o700);
    expect((await w.run(["config", "get", "process.batchSize"])).stderr).toBe("");
  });
});
