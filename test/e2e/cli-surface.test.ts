/**
 * Issue 9, items 5 and 14: --version, completion scripts generated from the command tree (run
 * in a real bash), help that shows global options, examples, environment and exit codes, and
 * usage errors that print themselves and a pointer instead of the whole help.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { cliWorld, ROOT } from "../support/cli.js";

describe("version, completion and help", () => {
  it("-V and --version print package.json's version", async () => {
    const w = await cliWorld();
    const { version } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8"));
    for (const flag of ["-V", "--version"])
      expect(await w.run([flag])).toMatchObject({ exitCode: 0, stdout: version, stderr: "" });
  });

  it("the bash script completes commands, subcommands and flags in a real bash", async () => {
    const w = await cliWorld();
    const script = join(w.dir, "c.bash");
    await writeFile(script, (await w.run(["completion", "bash"])).stdout);
    const complete = async (...words: string[]) => {
      const r = await execa("bash", [
        "-c",
        `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _playproof_batch; printf '%s\\n' "\${COMPREPLY[@]}"`,
        script,
        "playproof-batch",
        ...words,
      ]);
      return r.stdout.split("\n").filter(Boolean);
    };
    expect(await complete("st")).toEqual(["stats"]);
    // Issue 12: serve is a command like the others.
    expect(await complete("se")).toEqual(["serve"]);
    expect(await complete("serve", "--lis")).toEqual(["--listen"]);
    expect(await complete("res")).toEqual(["result", "results"]);
    expect(await complete("quarantine", "")).toEqual(
      expect.arrayContaining(["list", "restore", "--queue"]),
    );
    expect(await complete("config", "")).toEqual(
      expect.arrayContaining(["get", "set", "unset", "list"]),
    );
    expect(await complete("process", "--eng")).toEqual(["--engine"]);
    expect(await complete("process", "--engine", "local", "--max-b")).toEqual(["--max-batches"]);
    expect(await complete("results", "--st")).toEqual(["--state"]);
    expect(await complete("stats", "--vers")).toEqual([]);
  });

  it("zsh reuses it through bashcompinit; fish gets complete lines per command and flag", async () => {
    const w = await cliWorld();
    const zsh = (await w.run(["completion", "zsh"])).stdout;
    expect(zsh.split("\n").slice(1, 2)).toEqual(["autoload -U +X bashcompinit && bashcompinit"]);
    expect(zsh).toContain("complete -o default -F _playproof_batch playproof-batch");
    const fish = (await w.run(["completion", "fish"])).stdout;
    expect(fish).toContain("complete -c playproof-batch -f -n '__fish_use_subcommand' -a watch -d");
    expect(fish).toContain(
      "complete -c playproof-batch -n '__fish_seen_subcommand_from results' -l format -d",
    );
    const bad = await w.run(["completion", "tcsh"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("completion: expected one of bash, zsh, fish, got tcsh");
  });

  it("help shows global options, examples, environment and exit codes; usage errors stay short", async () => {
    const w = await cliWorld();
    const top = await w.run(["--help"]);
    expect(top.exitCode).toBe(0);
    for (const part of [
      "Examples:",
      "Environment:",
      "Exit codes:",
      "RestartPreventExitStatus=2 77 78",
      "PLAYPROOF_API_TOKEN  bearer token of serve",
      "serve [options]",
    ])
      expect(top.stdout).toContain(part);
    const sub = await w.run(["stats", "--help"]);
    expect(sub.stdout).toMatch(/Global Options:[\s\S]*--queue <path>[\s\S]*--log-format/);
    const bad = await w.run(["enqueue", "--bogus"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe("error: unknown option '--bogus'\n(see --help)");
    expect(bad.stdout).toBe("");
    const json = await w.run(["enqueue", "--bogus", "--log-format", "json"]);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({
      level: "error",
      message: "unknown option '--bogus' (see --help)",
    });
  });
});
