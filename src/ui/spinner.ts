import type { Ora } from "ora";
import { lazyModule } from "../lazy-module.js";
import type { Io } from "./io.js";

/**
 * ora is loaded when the first spinner starts, not at import: commands run from cron, pipes or
 * with --quiet never draw one, and ora's module graph was a third of enqueue's start-up
 * (issue 13). Node >= 20.19 loads an ES module through require().
 */
const oraModule = lazyModule<typeof import("ora")>("ora");
const ora = (options: Parameters<typeof import("ora").default>[0]): Ora =>
  oraModule().default(options);

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Every spinner and live line starts here, and only when `io.interactive` (terminal.ts) said so:
 * ora's own guesses (is-interactive, chalk reading process.env) are overridden, so one rule
 * decides for the CLI's own environment (issue 9, defects 6 and 8). ora's default
 * `discardStdin` puts the terminal in raw mode but never starts a fresh stdin flowing, so Ctrl-C
 * reaches nobody and SIGINT is never raised: the terminal stays cooked.
 */
export interface LiveSpinner {
  readonly ora: Ora;
  /** Stops it for good (its resize listener goes too). */
  dispose(): void;
}

export function startSpinner(io: Io, text: string, onLost: () => void): LiveSpinner {
  const spinner = ora({
    stream: io.stderr,
    text,
    isEnabled: true,
    discardStdin: false,
    color: false,
    spinner: { interval: 80, frames: FRAMES.map((f) => io.paint("cyan", f)) },
  }).start();
  // A terminal resized to 0 columns mid-run would hang ora's next redraw the same way: stop
  // drawing before it happens (node updates `columns` and emits 'resize' in one go), and let
  // the owner carry on with log lines.
  const onResize = () => {
    if (io.interactiveNow()) return;
    dispose();
    onLost();
  };
  const dispose = () => {
    io.stderr.off("resize", onResize);
    spinner.stop();
  };
  io.stderr.on("resize", onResize);
  return { ora: spinner, dispose };
}

/** The marks left in the scrollback, coloured only when colour is on. */
export function marks(io: Io) {
  return {
    ok: io.paint("green", "✔"),
    warn: io.paint("yellow", "⚠"),
    info: io.paint("cyan", "ℹ"),
  };
}
