import { fstatSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Readable } from "node:stream";
import type { Command } from "commander";
import { enqueueFrom } from "../api/queue.js";
import { ExitCode } from "../errors.js";
import type { EnqueueProgressCounts, EnqueueResult } from "../ops/enqueue.js";
import { spinnerOrLog } from "../ui/progress.js";
import { formatEnqueueProgress } from "../ui/progress-format.js";
import type { Context } from "./context.js";
import { type CliDeps, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

export async function enqueueAction(ctx: Context, files: string[]): Promise<number> {
  const { io } = ctx;
  const progress = enqueueProgress(ctx, files);
  let r: EnqueueResult;
  try {
    r = await enqueueFrom(ctx.queue, {
      files,
      stdin: ctx.deps.stdin,
      workers: Math.min(2, availableParallelism()),
      stop: io.closed,
      onRejected: (m) => io.log("error", m),
      onDuplicate: (m) => io.log("debug", m),
      ...(progress ? { progress: progress.watch } : {}),
      ...(io.json
        ? { onAccepted: (sessionId, provisional) => io.dataJson({ sessionId, ...provisional }) }
        : {}),
    });
  } finally {
    progress?.stop();
  }
  const stopped = r.stopped
    ? "; stopped early: stdout was closed by its reader, the rest of the input was not read (run it again: duplicates are ignored)"
    : "";
  io.log(
    "info",
    `enqueue: ${r.accepted} accepted, ${r.duplicates} duplicates (ignored), ${r.rejected} rejected, to ${ctx.store.path}${stopped}`,
  );
  return r.rejected > 0 ? ExitCode.inputRejected : ExitCode.ok;
}

/**
 * Issue 9, defect 9: on a terminal, a line about a second in and then every second (records,
 * bytes of the total when the inputs are regular files, rate, rejected); nothing off a terminal.
 */
function enqueueProgress(ctx: Context, files: string[]) {
  if (!ctx.io.interactive) return undefined;
  // Sessions typed or pasted on the terminal: a line redrawn under them would garble the echo.
  const stdinUsed = files.length === 0 || files.includes("-");
  if (stdinUsed && ctx.deps.stdin.isTTY) return undefined;
  const line = spinnerOrLog(ctx.io);
  const started = ctx.now();
  const totalBytes = inputBytes(files, ctx.deps.stdin);
  let probe: (() => EnqueueProgressCounts) | undefined;
  const show = () => {
    const p = probe?.();
    if (!p || !ctx.io.interactiveNow()) return; // no terminal any more (0 columns): no line
    line.update(
      formatEnqueueProgress({
        records: p.read,
        rejected: p.rejected,
        bytes: p.bytes,
        elapsedMs: ctx.now() - started,
        ...(totalBytes === undefined ? {} : { totalBytes }),
      }),
    );
  };
  const timer = setInterval(show, 1_000);
  timer.unref();
  return {
    watch: (p: () => EnqueueProgressCounts) => {
      probe = p;
    },
    stop() {
      clearInterval(timer);
      line.stop();
    },
  };
}

/** The inputs' total size when every one is a regular file (stdin too, when redirected from one). */
export function inputBytes(files: string[], stdin: Readable & { fd?: number }): number | undefined {
  let total = 0;
  for (const file of files.length === 0 ? ["-"] : files) {
    try {
      const st =
        file === "-"
          ? typeof stdin.fd === "number"
            ? fstatSync(stdin.fd)
            : undefined
          : statSync(file);
      if (!st?.isFile()) return undefined;
      total += st.size;
    } catch {
      return undefined; // unreadable: enqueue itself reports it
    }
  }
  return total;
}

/** `enqueue [FILE...]`: validates, scores provisionally, appends to the queue. */
export function register(program: Command, deps: CliDeps, setExit: SetExit): void {
  program
    .command("enqueue")
    .argument("[files...]", "NDJSON, a JSON array or one JSON document; stdin when none or -")
    .description("validate sessions, score them provisionally and append them to the queue")
    .addHelpText(
      "after",
      "\nExamples:\n  zcat sessions.ndjson.gz | playproof-batch enqueue\n  playproof-batch enqueue day1.ndjson day2.json --json > accepted.ndjson\n\nExit 65 when some records were rejected (the rest are queued).",
    )
    .action(async (files: string[], _o, cmd: Command) => {
      setExit(await enqueueAction(makeContext(cmd, deps), files));
    });
}
