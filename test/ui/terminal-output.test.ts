/** Issue 9, defects 6-10 and 16: the pure rules and formats behind terminal output. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { BatchReport } from "../../src/batch/process-batch.js";
import { inputBytes } from "../../src/cli/enqueue.js";
import { createIo } from "../../src/ui/io.js";
import { describeBatch } from "../../src/ui/progress.js";
import {
  formatBatchProgress,
  formatBytes,
  formatEnqueueProgress,
} from "../../src/ui/progress-format.js";
import { promptTheme } from "../../src/ui/prompt.js";
import { colorEnabled, isInteractive } from "../../src/ui/terminal.js";
import { tempDir } from "../support/temp.js";

describe("isInteractive: may a spinner or live line be drawn", () => {
  it.each([
    [{ isTTY: true, columns: 120 }, {}, true],
    [{ isTTY: true, columns: 0 }, {}, false], // the 0x0 pty that hung watch
    [{ isTTY: true }, {}, false], // width unknown
    [{ isTTY: true, columns: Number.NaN }, {}, false],
    [{ isTTY: true, columns: 80 }, { TERM: "dumb" }, false],
    [{ isTTY: true, columns: 80 }, { TERM: "xterm-256color" }, true],
    [{ isTTY: false, columns: 80 }, {}, false],
    [{}, {}, false],
  ])("%o with %o: %s", (stream, env, want) => {
    expect(isInteractive(stream, env)).toBe(want);
  });
});

describe("colorEnabled", () => {
  const tty = { isTTY: true, columns: 80 };
  const pipe = { isTTY: false };
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: "1" }, false],
    [tty, { NO_COLOR: "false" }, false], // any non-empty value
    [tty, { NO_COLOR: "" }, true], // empty: not set (no-color.org)
    [tty, { TERM: "dumb" }, false],
    [pipe, { FORCE_COLOR: "1" }, true],
    [pipe, { FORCE_COLOR: "3" }, true],
    [tty, { FORCE_COLOR: "0" }, false],
    [tty, { FORCE_COLOR: "false" }, false],
    [pipe, { FORCE_COLOR: "" }, false],
    [pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, true], // as in Node: forcing wins
    [tty, { FORCE_COLOR: "1", TERM: "dumb" }, true],
  ])("%o with %o: %s", (stream, env, want) => {
    expect(colorEnabled(stream, env)).toBe(want);
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [25 * 1024 * 1024, "25.0 MiB"],
    [3 * 1024 ** 3, "3.0 GiB"],
    [5 * 1024 ** 5, "5120.0 TiB"],
  ])("%d: %s", (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });
});

describe("formatEnqueueProgress", () => {
  const MiB = 1024 * 1024;
  it.each([
    [
      { records: 12_345, rejected: 3, bytes: 3.1 * MiB, totalBytes: 25 * MiB, elapsedMs: 1210 },
      "enqueue: 12,345 records · 3.1 MiB of 25.0 MiB (12%) · 10,202 records/s · 3 rejected",
    ],
    [
      { records: 100_000, rejected: 0, bytes: 7 * MiB, elapsedMs: 27_000 },
      "enqueue: 100,000 records · 7.0 MiB · 3,704 records/s · 0 rejected",
    ],
    [
      { records: 0, rejected: 0, bytes: 0, totalBytes: 0, elapsedMs: 0 },
      "enqueue: 0 records · 0 B of 0 B (100%) · 0 rejected",
    ],
    [
      // A file that grew while it was read: never past 100%.
      { records: 10, rejected: 1, bytes: 2048, totalBytes: 1024, elapsedMs: 2000 },
      "enqueue: 10 records · 2.0 KiB of 1.0 KiB (100%) · 5 records/s · 1 rejected",
    ],
  ])("%o", (p, want) => {
    expect(formatEnqueueProgress(p)).toBe(want);
  });
});

describe("formatBatchProgress", () => {
  it.each([
    [
      { n: 1, total: 48, engine: "local", done: 0, elapsedMs: 0 },
      "batch 1/48: scoring with local…",
    ],
    [
      { n: 3, total: 48, engine: "woodwide", done: 2, elapsedMs: 4_000 },
      "batch 3/48: scoring with woodwide… · ETA 1m32s",
    ],
    [
      { n: 48, total: 48, engine: "local", done: 47, elapsedMs: 47_000 },
      "batch 48/48: scoring with local… · ETA 1.0s",
    ],
    // More arrived during the run: the total follows the count, the ETA counts the rest.
    [
      { n: 50, total: 48, engine: "local", done: 49, elapsedMs: 49_000 },
      "batch 50/50: scoring with local… · ETA 1.0s",
    ],
    [{ n: 7, engine: "local", done: 6, elapsedMs: 600 }, "batch 7: scoring with local…"],
  ])("%o", (p, want) => {
    expect(formatBatchProgress(p)).toBe(want);
  });
});

describe("describeBatch", () => {
  const base: BatchReport = {
    batch: "b-1",
    outcome: "released",
    sessions: 10,
    scored: 0,
    retried: 0,
    dead: 0,
    lost: 0,
    durationMs: 300,
  };
  it("says interrupted for an abort, not the AbortError's message (issue 9, defect 16)", () => {
    const abort = new AbortController();
    abort.abort();
    expect(describeBatch({ ...base, error: abort.signal.reason as Error })).toBe(
      "batch b-1: released, 10 sessions in 300ms: (interrupted)",
    );
  });
  it("keeps a real failure's message", () => {
    expect(describeBatch({ ...base, outcome: "failed", error: new Error("401: bad key") })).toBe(
      "batch b-1: failed, 10 sessions in 300ms: (401: bad key)",
    );
  });
});

describe("createIo", () => {
  const capture = () => {
    let text = "";
    const stream = Object.assign(
      new Writable({
        write(chunk, _e, done) {
          text += String(chunk);
          done();
        },
      }),
      { isTTY: false as boolean },
    );
    return { stream, text: () => text };
  };
  const at = new Date("2025-03-04T05:06:07.089Z");
  const io = (stderr: ReturnType<typeof capture>["stream"], env = {}, logFormat = "human") =>
    createIo({
      stdout: new PassThrough(),
      stderr,
      env,
      json: false,
      quiet: false,
      verbose: false,
      logFormat: logFormat as "human" | "json",
      now: () => at,
    });

  it("stamps human lines with the time off a terminal, not on one", () => {
    const off = capture();
    io(off.stream).log("warn", "disk nearly full");
    io(off.stream).fatal("could not append");
    expect(off.text()).toBe(
      "2025-03-04T05:06:07.089Z warning: disk nearly full\n2025-03-04T05:06:07.089Z playproof-batch: could not append\n",
    );
    const on = capture();
    on.stream.isTTY = true;
    io(on.stream).log("warn", "disk nearly full");
    expect(on.text()).toBe("\u001b[33mwarning\u001b[39m: disk nearly full\n");
  });

  it("colours prefixes by the given env, and writes the final line as JSON with --log-format json", () => {
    const forced = capture();
    io(forced.stream, { FORCE_COLOR: "1" }).log("error", "line 3: bad");
    expect(forced.text()).toBe("2025-03-04T05:06:07.089Z \u001b[31merror\u001b[39m: line 3: bad\n");
    const json = capture();
    io(json.stream, {}, "json").fatal("could not append");
    expect(JSON.parse(json.text())).toEqual({
      time: "2025-03-04T05:06:07.089Z",
      level: "error",
      message: "could not append",
    });
  });
});

describe("inputBytes: the total of a progress line", () => {
  it("sums regular files, stdin when redirected from one, and is unknown for a pipe", async () => {
    const dir = await tempDir();
    const a = join(dir, "a.ndjson");
    const b = join(dir, "b.ndjson");
    writeFileSync(a, "x".repeat(1000));
    writeFileSync(b, "y".repeat(234));
    const pipe = new PassThrough();
    expect(inputBytes([a, b], pipe)).toBe(1234);
    expect(inputBytes([a, "-"], pipe)).toBeUndefined();
    expect(inputBytes([join(dir, "missing")], pipe)).toBeUndefined();
    expect(inputBytes([], pipe)).toBeUndefined();
  });
});

describe("promptTheme: inquirer follows the CLI's colour decision, not process.env", () => {
  it("is inquirer's coloured default with colour on, and plain text with it off", () => {
    expect(promptTheme(true)).toBeUndefined();
    const t = promptTheme(false);
    expect(t?.prefix).toEqual({ idle: "?", done: "✔" });
    const styled = Object.entries(t?.style ?? {}).map(([k, f]) => [k, f("yes")]);
    expect(Object.fromEntries(styled)).toEqual({
      answer: "yes",
      message: "yes",
      error: "> yes",
      defaultAnswer: "(yes)",
      help: "yes",
      highlight: "yes",
      key: "<yes>",
    });
  });
});
