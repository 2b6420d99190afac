/**
 * Issue 9, defects 8 and 9, through the built binary in a real 120x30 pty (util-linux `script`):
 * colour follows NO_COLOR / FORCE_COLOR / TERM=dumb; on a terminal `enqueue` shows a progress
 * line about a second in and `process` shows `batch N/total` with an ETA; off a terminal, none.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { formatBytes } from "../../src/ui/progress-format.js";
import { BIN, cliWorld } from "../support/cli.js";
import { ptyRun } from "../support/pty.js";
import { ndjson } from "../support/sessions.js";

let cleanup: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** SGR sequences (colour), as opposed to the cursor moves a spinner needs. */
const SGR = /\u001b\[\d+(;\d+)*m/;
const ESC = "\u001b";

async function inPty(w: { dir: string; env: Record<string, string> }, argv: string[], env = {}) {
  const t = ptyRun(w.dir, { TERM: "xterm-256color", ...w.env, ...env }, argv, {
    cols: 120,
    rows: 30,
    killAfterMs: 30_000,
  });
  cleanup = t.kill;
  const r = await t.done;
  return { exitCode: r.exitCode, out: t.output() };
}

describe("colour on a terminal (NO_COLOR, FORCE_COLOR, TERM=dumb)", () => {
  it("colours the spinner and marks by default, none with NO_COLOR; TERM=dumb gets plain lines", async () => {
    const w = await cliWorld();
    const processAll = [process.execPath, BIN, "process", "--engine", "local"];
    for (const [i, env, coloured] of [
      [0, {}, true],
      [1, { NO_COLOR: "1" }, false],
      [2, { NO_COLOR: "yes", FORCE_COLOR: "0" }, false],
    ] as const) {
      const sessions = ndjson(60, { points: 20 }, 100 * i);
      expect((await w.run(["enqueue"], { input: sessions })).exitCode).toBe(0);
      const r = await inPty(w, processAll, env);
      expect(r.exitCode).toBe(0);
      expect(r.out).toContain("batch 1/2: scoring with local…"); // the spinner ran
      expect(r.out).toContain(`${ESC}[?25l`); // and hid the cursor: it is a live line
      if (coloured) {
        expect(r.out).toContain(`${ESC}[36m⠋${ESC}[39m batch 1/2: scoring with local…`);
        expect(r.out).toMatch(
          new RegExp(`${ESC}\\[32m✔${ESC}\\[39m batch \\S+: scored, 50 sessions`),
        );
      } else {
        expect(r.out).not.toMatch(SGR);
        expect(r.out).toMatch(/✔ batch \S+: scored, 50 sessions/);
      }
    }
    expect((await w.run(["enqueue"], { input: ndjson(60, { points: 20 }, 300) })).exitCode).toBe(0);
    const dumb = await inPty(w, processAll, { TERM: "dumb" });
    expect(dumb.exitCode).toBe(0);
    expect(dumb.out).not.toContain(ESC);
    expect(dumb.out).toMatch(/^batch \S+: scored, 50 sessions in \S+: 50 scored\r$/m);
  }, 90_000);

  it("FORCE_COLOR colours log lines off a terminal; NO_COLOR alone does not", async () => {
    const w = await cliWorld();
    const bad = '{"sessionId":"s_x","movements":"no"}\n';
    const forced = await execa("node", [BIN, "enqueue"], {
      env: { ...w.env, FORCE_COLOR: "1" },
      input: bad,
      reject: false,
    });
    expect(forced.stderr).toContain(`${ESC}[31merror${ESC}[39m: line 1 (s_x): movements`);
    const plain = await execa("node", [BIN, "enqueue"], {
      env: { ...w.env, NO_COLOR: "1" },
      input: bad,
      reject: false,
    });
    expect(plain.stderr).not.toContain(ESC);
  }, 30_000);
});

describe("progress on a terminal, none off it", () => {
  it("enqueue: records, bytes, rate and rejected a second in, while the input is slow", async () => {
    const w = await cliWorld();
    const first = join(w.dir, "first.ndjson");
    const rest = join(w.dir, "rest.ndjson");
    // The rejected count follows the records through validation, a few groups of 128 behind.
    const head = `{"sessionId":"s_bad","movements":1}\n${ndjson(999, { points: 20 })}`;
    await writeFile(first, head);
    await writeFile(rest, ndjson(300, { points: 20 }, 999));
    const enqueueSlowly = `(cat '${first}'; sleep 2.5; cat '${rest}') | '${process.execPath}' '${BIN}' enqueue`;
    const r = await inPty(w, ["sh", "-c", enqueueSlowly]);
    expect(r.exitCode).toBe(65);
    // A pipe: its size is unknown, so bytes without a total.
    expect(r.out).toMatch(
      new RegExp(
        `enqueue: 1,000 records · ${formatBytes(Buffer.byteLength(head)).replace(".", "\\.")} · \\d[\\d,]* records/s · 1 rejected`,
      ),
    );
    expect(r.out).toContain(
      `${ESC}[31merror${ESC}[39m: line 1 (s_bad): movements: expected an array, got 1`,
    );
    expect(r.out).toContain("enqueue: 1299 accepted, 0 duplicates (ignored), 1 rejected");

    const piped = await execa("sh", ["-c", enqueueSlowly], {
      env: w.env,
      reject: false,
    });
    expect(piped.exitCode).toBe(65);
    expect(piped.stderr).not.toContain("records/s");
    expect(piped.stderr).toContain("enqueue: 0 accepted, 1299 duplicates (ignored), 1 rejected");
  }, 60_000);

  it("process: batch N/total and an ETA once a batch has ended", async () => {
    const w = await cliWorld();
    expect((await w.run(["enqueue"], { input: ndjson(150, { points: 20 }) })).exitCode).toBe(0);
    const r = await inPty(w, [process.execPath, BIN, "process", "--engine", "local"], {
      NO_COLOR: "1",
    });
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain("batch 1/3: scoring with local…");
    expect(r.out).toMatch(/batch 2\/3: scoring with local… · ETA \d+(ms|\.\ds)/);
    expect(r.out).toMatch(/batch 3\/3: scoring with local… · ETA \d+(ms|\.\ds)/);

    expect((await w.run(["enqueue"], { input: ndjson(150, { points: 20 }, 150) })).exitCode).toBe(
      0,
    );
    const piped = await w.run(["process", "--engine", "local", "-v"]);
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).not.toMatch(/\/3|ETA/);
    expect(piped.stderr).toMatch(/batch 1: scoring with local…/); // -v: the plain log line
  }, 60_000);
});
