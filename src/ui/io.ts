import type { Writable } from "node:stream";
import type { Env } from "../config.js";
import { readerGone } from "./output.js";
import { colorEnabled, type Hue, isInteractive, painter, type TermStream } from "./terminal.js";

/**
 * The version of the JSON documents commands print (issue 9): bumped when a field changes
 * meaning or goes away; new fields do not bump it.
 */
export const JSON_SCHEMA_VERSION = 1;

export type LogFormat = "human" | "json";
export type Level = "debug" | "info" | "warn" | "error";

export interface IoOptions {
  stdout: Writable & TermStream;
  stderr: Writable & TermStream;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  logFormat: LogFormat;
  /** The environment the CLI was given (NO_COLOR, FORCE_COLOR, TERM); none: no colour rules. */
  env?: Env;
  now?: () => Date;
}

/** stdout is data, stderr is talk (style.md rule 8). The one place that writes either. */
export interface Io {
  readonly json: boolean;
  readonly quiet: boolean;
  /** -v: more detail (debug lines, `stats`' warnings about where the queue lives). */
  readonly verbose: boolean;
  /** A spinner or live line may be drawn on stderr (terminal.ts decides, for every one). */
  readonly interactive: boolean;
  /** The same rule asked again now: a terminal resized to 0 columns stops being one. */
  interactiveNow(): boolean;
  readonly stderr: IoOptions["stderr"];
  /** Aborted once stdout's reader went away (EPIPE): data is dropped, streams should stop. */
  readonly closed: AbortSignal;
  /** Colour is on for stderr (NO_COLOR, FORCE_COLOR, TERM=dumb: terminal.ts). */
  readonly color: boolean;
  /** Colours `text` when `color` is on. */
  paint(hue: Hue, text: string): string;
  data(text: string): void;
  /** Exactly one JSON document (or one line of a stream) on stdout. */
  dataJson(value: unknown): void;
  log(level: Level, message: string, fields?: Record<string, unknown>): void;
  /** The line a failed command ends with (printed even with -q). */
  fatal(message: string, fields?: Record<string, unknown>): void;
}

export function createIo(o: IoOptions): Io {
  const now = o.now ?? (() => new Date());
  const env = o.env ?? {};
  const closed = readerGone(o.stdout);
  readerGone(o.stderr);
  const color = colorEnabled(o.stderr, env);
  const paint = painter(color);
  // Issue 9, defect 10: off a terminal (cron's `>> /var/log/...`), human lines need their time.
  const stamp = () => (o.stderr.isTTY ? "" : `${now().toISOString()} `);
  const line = (level: Level, prefix: string, message: string, fields?: object) => {
    if (o.logFormat === "json") {
      o.stderr.write(
        `${JSON.stringify({ time: now().toISOString(), level, message, ...fields })}\n`,
      );
    } else o.stderr.write(`${stamp()}${prefix}${message}\n`);
  };
  return {
    json: o.json,
    quiet: o.quiet,
    verbose: o.verbose,
    interactive: isInteractive(o.stderr, env) && !o.quiet,
    interactiveNow: () => isInteractive(o.stderr, env) && !o.quiet,
    stderr: o.stderr,
    closed,
    color,
    paint,
    data(text) {
      if (!closed.aborted) o.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    },
    dataJson(value) {
      if (!closed.aborted) o.stdout.write(`${JSON.stringify(value)}\n`);
    },
    log(level, message, fields) {
      if (level === "debug" && !o.verbose) return;
      if (level === "info" && o.quiet) return;
      const prefix =
        level === "warn"
          ? `${paint("yellow", "warning")}: `
          : level === "error"
            ? `${paint("red", "error")}: `
            : "";
      line(level, prefix, message, fields);
    },
    fatal(message, fields) {
      line("error", "playproof-batch: ", message, fields);
    },
  };
}
