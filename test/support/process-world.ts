/**
 * Helpers for `process` tests: a queue world that runs the CLI in-process with an injected clock,
 * sessions the fake Woodwide flags, and a reader of the journal's event headers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { expect } from "vitest";
import { run } from "../../src/cli/program.js";
import { parseHeader, type QueueEvent } from "../../src/queue/events.js";
import { fileBackend, type TestBackend } from "./backends.js";
import { makeSession } from "./sessions.js";
import { tempDir } from "./temp.js";

/** avgSpeed ~11,000 px/s for a straight-line bot at speed 30: the fake flags avgSpeed > 5000. */
export const FLAGGED = { bot: true, speed: 30 } as const;

/** `count` sessions from `start`; those for which `flagged(i)` holds are built for the fake to flag. */
export function mixedSessions(count: number, flagged: (i: number) => boolean, start = 0): string {
  let out = "";
  for (let i = start; i < start + count; i++)
    out += `${JSON.stringify(makeSession(i, flagged(i) ? FLAGGED : {}))}\n`;
  return out;
}

export async function journalEvents(queue: string): Promise<QueueEvent[]> {
  const text = await readFile(queue, "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const e = parseHeader(line);
      if (!e) throw new Error(`corrupt journal line: ${line.slice(0, 200)}`);
      return e;
    });
}

/** How many `result` and `dead` events each session has (each must end up with exactly one). */
export function finalCounts(events: QueueEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events)
    if (e.t === "result" || e.t === "dead") counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}

/**
 * The backend-neutral form of "each session ends with exactly one result or dead event", from
 * `stats --json` (or the library's stats): all `n` sessions are scored or dead, and the queue
 * recorded `n` final results over its life (a second result for a session would count twice).
 */
export function expectOneFinalEach(
  s: { sessions: number; scored: number; dead: number; totals: { scored: number; dead: number } },
  n: number,
): void {
  expect({
    sessions: s.sessions,
    final: s.scored + s.dead,
    recorded: s.totals.scored + s.totals.dead,
  }).toEqual({ sessions: n, final: n, recorded: n });
}

export function woodwideEnv(fake: { url: string; apiKey: string; defaultModelId: string }) {
  return {
    WOODWIDE_API_KEY: fake.apiKey,
    WOODWIDE_BASE_URL: fake.url,
    PLAYPROOF_MODEL_ID: fake.defaultModelId,
  };
}

export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * A private queue (on backend `b`) and config dir; `run` calls the CLI in-process. The clock is
 * the wall clock plus `advance`d time, so lease and backoff waits cost nothing while timeouts
 * stay real.
 */
export async function inProcessWorld(
  extraEnv: Record<string, string> = {},
  b: TestBackend = fileBackend,
) {
  const dir = await tempDir("ppb-proc-");
  const queue = b.queue(dir);
  const env: Record<string, string> = {
    HOME: join(dir, "home"),
    XDG_DATA_HOME: join(dir, "data"),
    PLAYPROOF_CONFIG_DIR: join(dir, "config"),
    PLAYPROOF_QUEUE: queue,
    ...extraEnv,
  };
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    dir,
    env,
    queue,
    kind: b.kind,
    now,
    advance(ms: number) {
      offset += ms;
    },
    /** Moves the clock to `at` (never backwards). */
    advanceTo(at: number) {
      offset += Math.max(0, at - now());
    },
    async run(args: string[], input = ""): Promise<RunOutput> {
      const out = sink();
      const err = sink();
      const code = await run(args, {
        stdin: Readable.from([input]),
        stdout: out.stream,
        stderr: err.stream,
        env,
        now,
      });
      return { code, stdout: out.text(), stderr: err.text() };
    },
    events: () => journalEvents(queue),
  };
}
