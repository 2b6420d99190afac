import type { Command } from "commander";
import { CliError, ExitCode } from "../errors.js";
import { migrate } from "../ops/migrate.js";
import { openQueueContext } from "../ops/open-queue.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import type { SetExit } from "./options.js";

export interface MigrateFlags {
  to: string;
  dryRun?: boolean;
}

export async function migrateAction(ctx: Context, o: MigrateFlags): Promise<void> {
  const { sources } = ctx;
  const target = openQueueContext({
    sources: { ...sources, flags: { ...sources.flags, "queue.path": o.to } },
    flagName: "--to",
    readOnly: false,
    now: ctx.now,
    warn: (m) => ctx.io.log("warn", m),
  }).store;
  try {
    if (target.path === ctx.store.path)
      throw new CliError(
        `migrate: --to names the queue it copies from (${target.path})`,
        ExitCode.usage,
      );
    const r = await migrate(ctx.store, target, {
      now: ctx.now,
      ...(o.dryRun ? { dryRun: true } : {}),
      onChunk: (p) => ctx.io.log("debug", `migrate: ${p.copied} copied so far`),
    });
    if (ctx.io.json)
      ctx.io.dataJson({ from: ctx.store.path, to: target.path, dryRun: Boolean(o.dryRun), ...r });
    const s = r.byStatus;
    const what = `${s.queued} queued, ${s.claimed} in flight (arrive queued), ${s.scored} scored, ${s.dead} dead-lettered`;
    ctx.io.log(
      "info",
      o.dryRun
        ? `migrate --dry-run: would copy ${r.read} session(s) (${what}) from ${ctx.store.path} to ${target.path}`
        : `migrate: ${r.copied} session(s) copied, ${r.present} already there, of ${r.read} read (${what}) from ${ctx.store.path} to ${target.path}`,
    );
  } finally {
    await target.close();
  }
}

/** `migrate --to QUEUE`: copies every session, state and all, into another queue (issue 11). */
export function register(program: Command, deps: CliDeps, _setExit: SetExit): void {
  program
    .command("migrate")
    .description(
      "copy every session (state, results) of --queue into another queue, e.g. a file queue into Redis",
    )
    .requiredOption("--to <queue>", "the queue to copy into: a file path or a redis:// URL")
    .option("--dry-run", "count what would be copied, copy nothing")
    .addHelpText(
      "after",
      "\nExamples:\n  playproof-batch migrate --queue /var/lib/playproof/queue.jsonl --to redis://10.0.0.5:6379/0\n  playproof-batch migrate --to 'redis://queue:****@redis.internal:6379/0?prefix=site-a' --dry-run\n\nIdempotent: sessions already in the target are left alone, so running it again after the\nswitch copies only what was enqueued to the old queue meanwhile. The source is not changed.",
    )
    .action(async (o: MigrateFlags, cmd: Command) => {
      await migrateAction(makeContext(cmd, deps), o);
    });
}
