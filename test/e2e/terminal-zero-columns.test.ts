/**
 * Issue 9, defect 6: on a pty reporting 0 columns (`script` with no window size, some CI and
 * container wrappers) ora divided by zero, spun at full CPU, wrote megabytes of cursor moves and
 * never saw SIGINT/SIGTERM. Such a terminal gets plain log lines, and a signal stops `watch`.
 * Every run is killed after 20 s whatever happens, so the old hang fails the test, not the suite.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BIN, cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { ptyRun } from "../support/pty.js";
import { ndjson } from "../support/sessions.js";

let cleanup: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("watch on a 0x0 terminal (built binary, real pty)", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "prints log lines, draws nothing, and exits 0 on %s",
    async (signal) => {
      const w = await cliWorld();
      expect((await w.run(["enqueue"], { input: ndjson(12, { points: 30 }) })).exitCode).toBe(0);
      const t = ptyRun(
        w.dir,
        w.env,
        [process.execPath, BIN, "watch", "--engine", "local", "--interval", "200ms"],
        { cols: 0, rows: 0, killAfterMs: 20_000 },
      );
      cleanup = t.kill;
      await eventually(
        async () => (/due 0 · scored 12/.test(t.output()) ? true : undefined),
        15_000,
        "the counts after the batch",
      );
      await t.signal(signal);
      const r = await t.done;
      expect(r.exitCode).toBe(0);
      const out = t.output();
      expect(out).not.toContain("\u001b"); // no spinner, no cursor moves, no colour
      const lines = out.split(/\r?\n/).filter(Boolean);
      expect(lines).toHaveLength(6);
      expect(lines[0]).toMatch(/^watching \S+ every 200ms: a batch when 10 are due/);
      expect(lines.slice(1, 3)).toEqual([
        "processing 1 batch(es): 12 due >= min batch 10",
        expect.stringMatching(/^batch \S+: scored, 12 sessions in \S+: 12 scored$/),
      ]);
      expect(lines.slice(3, 5)).toEqual(["due 0 · scored 12 · retrying 0 · dead 0", "stopping"]);
      expect(lines[5]).toMatch(/^watch stopped: 1 batch\(es\), 12 session\(s\) in \d+ check\(s\)$/);
    },
    30_000,
  );

  it("a terminal resized to 0x0 mid-run: the live line gives way to log lines; SIGTERM exits 0", async () => {
    const w = await cliWorld();
    expect((await w.run(["enqueue"], { input: ndjson(12, { points: 30 }) })).exitCode).toBe(0);
    const t = ptyRun(
      w.dir,
      { TERM: "xterm-256color", ...w.env },
      [process.execPath, BIN, "watch", "--engine", "local", "--interval", "200ms"],
      { cols: 120, rows: 30, killAfterMs: 20_000 },
    );
    cleanup = t.kill;
    await eventually(
      async () => (/next check in .* │ last batch .*scored 12/.test(t.output()) ? true : undefined),
      15_000,
      "the live line after the batch",
    );
    await t.resize(0, 0);
    await eventually(
      async () =>
        /due 0 · scored 12 · retrying 0 · dead 0\r\n/.test(t.output()) ? true : undefined,
      10_000,
      "the counts as a log line",
    );
    await t.signal("SIGTERM");
    const r = await t.done;
    expect(r.exitCode).toBe(0);
    const tail = t
      .output()
      .slice(t.output().lastIndexOf("due 0 · scored 12 · retrying 0 · dead 0\r\n"));
    expect(tail).toMatch(
      /^due 0 · scored 12 · retrying 0 · dead 0\r\nstopping\r\nwatch stopped: 1 batch\(es\), 12 session\(s\) in \d+ check\(s\)\r\n/,
    );
  }, 30_000);
});
