import type { Command } from "commander";
import { parseDuration } from "../durations.js";
import { UsageError } from "../errors.js";

/** What a command's register() gets: the program to add itself to, and how to set the exit. */
export type SetExit = (code: number) => void;

export const durationOption = (value: string): string => {
  if (parseDuration(value) === undefined)
    throw new UsageError(`not a duration: ${value} (use 30s, 5m, 24h)`);
  return value;
};

/** What `process` and `watch` share (design.md: watch takes every option of process). */
export function scoringOptions(cmd: Command): Command {
  return cmd
    .option("--engine <engine>", "woodwide or local (default: woodwide when configured)")
    .option("--mode <mode>", "Woodwide path: dataset (upload + infer-batch) or direct (/infer)")
    .option("--batch-size <n>", "sessions per batch (default 50)")
    .option("--attempts <n>", "attempts before a session is dead-lettered (default 5)")
    .option("--lease <duration>", "claim lease of a batch in flight (default 10m)", durationOption)
    .option("--min-batch <n>", "scheduler: due sessions that trigger a batch (default 10)")
    .option(
      "--max-wait <duration>",
      "scheduler: longest wait after the last batch before a partial one (default 5m)",
      durationOption,
    )
    .option(
      "--metrics-file <path>",
      "write Prometheus text metrics there (temp file + rename; node_exporter textfile collector)",
    )
    .option(
      "--metrics-label <name=value...>",
      "a label on every metric (repeatable), beside queue=<path>",
    );
}
