import type { Env } from "../config.js";

/** What we need to know of a stream to decide how to draw on it (a tty.WriteStream, or a fake). */
export interface TermStream {
  isTTY?: boolean;
  columns?: number;
}

/**
 * The one rule for "may we draw a spinner or a live line here" (issue 9, defect 6): a TTY whose
 * width is known and not zero, and a terminal that can move the cursor. A pty that reports 0
 * columns (`script` without a window size, some CI and container wrappers) made ora divide by
 * zero and spin at full CPU, deaf to SIGINT/SIGTERM: such a terminal gets plain log lines.
 */
export function isInteractive(stream: TermStream, env: Env): boolean {
  const columns = stream.columns ?? 0;
  return Boolean(stream.isTTY) && Number.isFinite(columns) && columns > 0 && env.TERM !== "dumb";
}

/**
 * Colour or not (issue 9, defect 8), from the environment the CLI was given (not process.env, so
 * in-process callers decide too): a non-empty FORCE_COLOR forces it (as in Node, it wins over
 * NO_COLOR; `0` and `false` turn it off), NO_COLOR with any non-empty value and TERM=dumb turn it off, else a
 * TTY gets colour.
 */
export function colorEnabled(stream: TermStream, env: Env): boolean {
  const force = env.FORCE_COLOR;
  if (force) return force !== "0" && force !== "false";
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

const SGR = { green: 32, yellow: 33, cyan: 36, red: 31, dim: 2 } as const;
export type Hue = keyof typeof SGR;

/** A painter: ANSI colours when on, the text unchanged when off. */
export function painter(on: boolean) {
  return (hue: Hue, text: string): string =>
    on ? `\u001B[${SGR[hue]}m${text}\u001B[${hue === "dim" ? 22 : 39}m` : text;
}
