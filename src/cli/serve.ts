import { once } from "node:events";
import type { Command } from "commander";
import { parseDuration } from "../durations.js";
import { CliError, ExitCode, exitCodeFor, UsageError } from "../errors.js";
import { isLoopbackHost } from "../server/auth.js";
import { createScheduler } from "../server/scheduler.js";
import { createApiServer } from "../server/server.js";
import { type CliDeps, type Context, makeContext } from "./context.js";
import { durationOption, type SetExit, scoringOptions } from "./options.js";
import { loadWithoutSignalListeners, shutdownSignals } from "./shutdown-signals.js";
import { type WatchFlags, watchFlags } from "./watch.js";

export interface ServeFlags extends WatchFlags {
  listen?: string;
}

/** `HOST:PORT` (`[::1]:3002` for IPv6); port 0 lets the system choose. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (!m || port > 65_535)
    throw new UsageError(`--listen: expected HOST:PORT such as 127.0.0.1:3002, got ${value}`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

function woodwideLikely(ctx: Context): boolean {
  const { engine, woodwide } = ctx.settings;
  return engine === "woodwide" || (engine === "auto" && !!woodwide.apiKey && !!woodwide.modelId);
}

export async function serveAction(ctx: Context, o: ServeFlags): Promise<number> {
  const { io, settings, store } = ctx;
  const { host, port } = parseListen(o.listen ?? "127.0.0.1:3002");
  const token = settings.apiToken;
  const loopback = isLoopbackHost(host);
  if (!loopback && !token)
    throw new CliError(
      `serve: ${host} is not a loopback address and no API token is set, so anyone who reaches it could read and change the queue: set PLAYPROOF_API_TOKEN (or \`playproof-batch config set serve.token -\`), or listen on 127.0.0.1`,
      ExitCode.config,
    );
  if (!token)
    io.log(
      "warn",
      "serve: no API token (PLAYPROOF_API_TOKEN or serve.token): read-only routes only; mutating routes answer 401",
    );
  const flags = watchFlags(o);
  const { queue } = ctx;
  // conf's signal re-raising would turn one SIGTERM into two (see watch): load it first.
  if (woodwideLikely(ctx)) await loadWithoutSignalListeners(ctx.deps.signals, ctx.config);
  const signals = shutdownSignals(ctx.deps.signals);
  const shutdownTimeoutMs = parseDuration(o.shutdownTimeout ?? "30s") ?? 30_000;
  const scheduler = createScheduler({
    queue,
    flags,
    shutdownTimeoutMs,
    log: (level, m) => io.log(level, m),
  });
  signals.kill.addEventListener("abort", () => scheduler.kill(), { once: true });
  const server = createApiServer({
    queue,
    scheduler,
    token,
    loopback,
    stop: signals.stop,
    kill: signals.kill,
    shutdownTimeoutMs,
    log: (level, m) => io.log(level, m),
  });
  try {
    const addr = await server.listen(host, port).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(
        `serve: cannot listen on ${host}:${port}: ${(err as Error).message}`,
        code === "EADDRINUSE" ? ExitCode.unavailable : exitCodeFor(err),
        { cause: err },
      );
    });
    const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    io.log("info", `serve: listening on http://${shown}:${addr.port} (queue ${store.path})`);
    if (!signals.stop.aborted) await once(signals.stop, "abort");
    io.log(
      "info",
      `serve: stopping: no new connections; finishing ${server.inFlight()} request(s) and the batch in flight`,
    );
    await server.shutdown();
    io.log("info", "serve: stopped");
    return signals.kill.aborted ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    signals.dispose();
    await queue.close();
  }
}

/** `serve`: the original PlayProof batch routes over HTTP on this queue (issue 12). */
export function register(program: Command, deps: CliDeps, setExit: SetExit): void {
  scoringOptions(
    program
      .command("serve")
      .description(
        "the HTTP API of the original PlayProof batch routes on this queue (loopback:3002 by default)",
      ),
  )
    .option("--listen <host:port>", "address to bind (default 127.0.0.1:3002; port 0: any free)")
    .option("--interval <duration>", "scheduler: time between checks (default 30s)", durationOption)
    .option(
      "--shutdown-timeout <duration>",
      "on SIGTERM, how long the batch in flight may finish before it is released (default 30s)",
      durationOption,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  PLAYPROOF_API_TOKEN=$(cat /etc/playproof/token) playproof-batch serve\n  playproof-batch serve --listen 0.0.0.0:3002 --engine local   # needs a token\n\nRoutes: GET /healthz, GET /metrics, GET /api/v1/batch/stats, GET /api/v1/batch/result/:sessionId,\nPOST /api/v1/batch/enqueue, POST /api/v1/batch/process, POST /api/v1/batch/clear,\nPOST /api/v1/batch/scheduler/start|stop, GET /api/v1/batch/scheduler/status.\nA bearer token (PLAYPROOF_API_TOKEN or serve.token) guards every POST, and every route off loopback.\nSIGTERM: no new connections; requests and the batch in flight finish; exit 0.",
    )
    .action(async (o: ServeFlags, cmd: Command) => {
      setExit(await serveAction(makeContext(cmd, deps, watchFlags(o)), o));
    });
}
