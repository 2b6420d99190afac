import { availableParallelism } from "node:os";
import type { Context } from "../cli-context.js";
import { enqueue } from "../commands/enqueue.js";
import { ExitCode } from "../errors.js";

export async function enqueueAction(ctx: Context, files: string[]): Promise<number> {
  const { io } = ctx;
  const r = await enqueue({
    files,
    stdin: ctx.deps.stdin,
    store: ctx.store,
    thresholds: ctx.settings.thresholds,
    now: ctx.now,
    workers: Math.min(2, availableParallelism()),
    onRejected: (m) => io.log("error", m),
    onDuplicate: (m) => io.log("debug", m),
    ...(io.json
      ? { onAccepted: (sessionId, provisional) => io.dataJson({ sessionId, ...provisional }) }
      : {}),
  });
  io.log(
    "info",
    `enqueue: ${r.accepted} accepted, ${r.duplicates} duplicates (ignored), ${r.rejected} rejected, to ${ctx.store.path}`,
  );
  return r.rejected > 0 ? ExitCode.inputRejected : ExitCode.ok;
}
