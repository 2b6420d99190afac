import type { Writable } from "node:stream";

export type LogFormat = "human" | "json";
export type Level = "debug" | "info" | "warn" | "error";

export interface IoOptions {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  logFormat: LogFormat;
  now?: () => Date;
}

/** stdout is data, stderr is talk (style.md rule 8). The one place that writes either. */
export interface Io {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly stderr: IoOptions["stderr"];
  data(text: string): void;
  /** Exactly one JSON document (or one line of a stream) on stdout. */
  dataJson(value: unknown): void;
  log(level: Level, message: string, fields?: Record<string, unknown>): void;
}

export function createIo(o: IoOptions): Io {
  const now = o.now ?? (() => new Date());
  return {
    json: o.json,
    interactive: Boolean(o.stderr.isTTY) && !o.quiet,
    stderr: o.stderr,
    data: (text) => o.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    dataJson: (value) => o.stdout.write(`${JSON.stringify(value)}\n`),
    log(level, message, fields) {
      if (level === "debug" && !o.verbose) return;
      if (level === "info" && o.quiet) return;
      if (o.logFormat === "json") {
        o.stderr.write(
          `${JSON.stringify({ time: now().toISOString(), level, message, ...fields })}\n`,
        );
        return;
      }
      const prefix = level === "warn" ? "warning: " : level === "error" ? "error: " : "";
      o.stderr.write(`${prefix}${message}\n`);
    },
  };
}
