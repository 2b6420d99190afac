/**
 * Issue 10 (reads are fast): a command loads the packages it uses, when it first uses them.
 * undici took 150 ms of every command's start-up (a third of `stats` at 1M sessions);
 * proper-lockfile, cli-table3 and csv-stringify 35 ms more where no lock, table or CSV is made.
 */
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, cliWorld, ROOT } from "../support/cli.js";
import { ndjson } from "../support/sessions.js";

const REPORT = join(ROOT, "test", "support", "report-packages.cjs");

/** The CommonJS packages `args` loaded, in a world holding three queued sessions. */
async function loaded(args: string[]): Promise<string[] | undefined> {
  const w = await cliWorld();
  expect((await w.run(["enqueue", "--quiet"], { input: ndjson(3) })).exitCode).toBe(0);
  const r = await execa("node", ["--require", REPORT, BIN, ...args], {
    env: w.env,
    extendEnv: true,
    reject: false,
    stdin: "ignore",
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const line = r.stderr.split("\n").find((l) => l.startsWith("packages: "));
  return line?.slice("packages: ".length).split(",");
}

describe("packages a command loads", () => {
  it.each([
    [["stats", "--json"], ["commander"]],
    [["result", "s_1", "--json"], ["commander"]],
    // cli-table3 brings string-width and its helpers.
    [
      ["stats"],
      [
        "ansi-regex",
        "cli-table3",
        "commander",
        "emoji-regex",
        "is-fullwidth-code-point",
        "string-width",
        "strip-ansi",
      ],
    ],
    [
      ["results", "--state", "due", "--format", "csv"],
      ["commander", "csv-stringify"],
    ],
    // The lock (proper-lockfile and its helpers), never undici: the local engine sends nothing.
    [
      ["process", "--engine", "local", "--quiet"],
      ["commander", "graceful-fs", "proper-lockfile", "retry", "signal-exit"],
    ],
  ])("%j loads %j", async (args, packages) => {
    expect(await loaded(args)).toEqual(packages);
  });
});
