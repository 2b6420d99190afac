/**
 * Issue 9, defects 7, 10 and 16, through the built binary off a terminal: a reader that goes away
 * (`| head -1`), log lines for cron's `>> /var/log/...`, the final error line in JSON, -q, -q -v.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld } from "../support/cli.js";
import { logLines, TIMESTAMP } from "../support/log-lines.js";
import { ndjson } from "../support/sessions.js";

/** Runs `pipeline` in bash with pipefail; returns the pipeline's statuses and its streams. */
async function pipeline(env: Record<string, string>, command: string) {
  const r = await execa(
    "bash",
    ["-c", `set -o pipefail; ${command}; echo "\${PIPESTATUS[*]}" >&3`],
    {
      env,
      extendEnv: true,
      reject: false,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    },
  );
  return { ...r, statuses: String(r.stdio[3]).trim() };
}

const node = (args: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`;

describeBackends("a reader that goes away (| head -1)", (b) => {
  it("enqueue --json stops quietly after the chunk in flight, exit 141; the queue holds exactly what it says", async () => {
    const w = await cliWorld({}, b);
    const input = join(w.dir, "in.ndjson");
    await writeFile(input, ndjson(5_000, { points: 20 }));
    const r = await pipeline(w.env, `${node("enqueue --json")} < ${input} | head -1`);
    expect(r.statuses).toBe("141 0");
    expect(JSON.parse(r.stdout).sessionId).toBe("s_0");
    expect(r.stderr).not.toMatch(/EPIPE|Error|at .*\.js/);
    // Whole chunks (2,000 sessions, appended and fsynced whole) went in before the reader left:
    // the first, and the next one too when it was already being appended as the EPIPE arrived
    // (chunk N+1 appends while chunk N's lines are printed). Never a part of one, never all 5,000.
    const lines = logLines(r.stderr);
    expect(lines).toHaveLength(1);
    const m =
      /^enqueue: (\d+) accepted, 0 duplicates \(ignored\), 0 rejected, to (.*); stopped early: stdout was closed by its reader, the rest of the input was not read \(run it again: duplicates are ignored\)$/.exec(
        lines[0] ?? "",
      );
    expect(m?.[2]).toBe(w.queue);
    const accepted = Number(m?.[1]);
    expect([2000, 4000]).toContain(accepted);
    // The queue holds exactly what the line says.
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({ sessions: accepted, due: accepted, corruptLines: 0 });
    // Running it again without the pipe queues the rest; the ones already in are duplicates.
    const again = await execa("node", [BIN, "enqueue", input], { env: w.env, reject: false });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain(
      `enqueue: ${5000 - accepted} accepted, ${accepted} duplicates (ignored)`,
    );
  }, 60_000);

  it("process --dry-run stops quietly, exit 141, and changes nothing", async () => {
    const w = await cliWorld({}, b);
    // 3,000 sessions print about 0.5 MB of CSV: far more than a pipe (64 KiB) and head's reads
    // take before it exits, so some write surely meets the closed pipe (with 600, about 110 KB,
    // all of it could get through before head left, now and then: exit 0, rightly).
    expect((await w.run(["enqueue"], { input: ndjson(3_000, { points: 20 }) })).exitCode).toBe(0);
    const r = await pipeline(w.env, `${node("process --dry-run --engine local")} | head -1`);
    expect(r.statuses).toBe("141 0");
    expect(r.stdout).toMatch(/^durationMs,totalMoves,/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at .*\.js/);
    expect(logLines(r.stderr)).toEqual([
      "dry run: 60 batch(es), 3000 sessions would be sent; nothing changed",
    ]);
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({ sessions: 3000, due: 3000, scored: 0 });
  }, 60_000);
});

describe("log lines off a terminal", () => {
  it("human lines start with an ISO time; the final error line is a JSON line with --log-format json", async () => {
    const w = await cliWorld();
    const bad = `${ndjson(1)}{"sessionId":"s_x","movements":"no"}\n`;
    const r = await w.run(["enqueue"], { input: bad });
    expect(r.exitCode).toBe(65);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(TIMESTAMP);
    expect(logLines(r.stderr)[0]).toMatch(/^error: line 2 \(s_x\): movements: /);

    // A failure inside the command, and one found while parsing the flags.
    for (const args of [
      ["process", "--max-batches", "0"],
      ["process", "--lease", "soon"],
    ]) {
      const human = await w.run(args);
      expect(human.exitCode).toBe(2);
      expect(human.stderr).toMatch(
        new RegExp(`${TIMESTAMP.source}playproof-batch: (--max-batches|not a duration)`),
      );
      const json = await w.run([...args, "--log-format", "json"]);
      expect(json.exitCode).toBe(2);
      const last = JSON.parse(json.stderr.trim().split("\n").at(-1) ?? "");
      expect(Object.keys(last)).toEqual(["time", "level", "message"]);
      expect(last.level).toBe("error");
      expect(last.message).toBe(
        args[1] === "--lease"
          ? "not a duration: soon (use 30s, 5m, 24h)"
          : "--max-batches: expected a whole number >= 1, got 0",
      );
    }
  }, 60_000);

  it("-q prints no summary table (--json still prints its document); -q -v is a usage error", async () => {
    const w = await cliWorld();
    expect((await w.run(["enqueue"], { input: ndjson(3, { points: 20 }) })).exitCode).toBe(0);
    const quiet = await w.run(["process", "--engine", "local", "-q"]);
    expect([quiet.exitCode, quiet.stdout, quiet.stderr]).toEqual([0, "", ""]);

    expect((await w.run(["enqueue"], { input: ndjson(2, { points: 20 }, 3) })).exitCode).toBe(0);
    const json = await w.run(["process", "--engine", "local", "-q", "--json"]);
    expect([json.exitCode, json.stderr]).toEqual([0, ""]);
    // One word for sessions another processor took over: `takenOver`; `lost` is kept as an alias.
    expect(JSON.parse(json.stdout)).toMatchObject({
      engine: "local",
      batches: 1,
      sessions: 2,
      scored: 2,
      takenOver: 0,
      lost: 0,
    });

    const both = await w.run(["stats", "-q", "-v"]);
    expect(both.exitCode).toBe(2);
    expect(both.stdout).toBe("");
    expect(logLines(both.stderr)).toEqual([
      "playproof-batch: -q/--quiet and -v/--verbose contradict each other: pick one",
    ]);
  }, 60_000);
});
