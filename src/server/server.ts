import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Queue } from "../api/queue.js";
import { bearerMatches } from "./auth.js";
import { mediaType, readBody } from "./body.js";
import { type Answer, matchRoute, type RouteContext } from "./routes.js";
import type { Scheduler } from "./scheduler.js";
import { errorAnswer, HttpError } from "./status.js";

export interface ApiServerOptions {
  queue: Queue;
  scheduler: Scheduler;
  /** The bearer token; without one, mutating routes answer 401. */
  token: string | undefined;
  /** Bound to loopback: reads need no token. Off loopback every route needs it. */
  loopback: boolean;
  /** First SIGTERM/SIGINT: no new batch; the second (kill) releases the one in flight. */
  stop: AbortSignal;
  kill: AbortSignal;
  shutdownTimeoutMs: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  log: (level: "info" | "warn" | "debug", message: string) => void;
}

const REALM = { "www-authenticate": 'Bearer realm="playproof-batch"' };

/**
 * `serve`'s HTTP layer on node:http (issue 12): ten routes need no router, and the limits the
 * issue asks for (body size while streaming, header and request timeouts) are node:http's own
 * settings, so a framework would add a dependency without removing code.
 */
export function createApiServer(o: ApiServerOptions) {
  let closing = false;
  let inFlight = 0;
  const deadline = new AbortController();
  o.stop.addEventListener(
    "abort",
    () => setTimeout(() => deadline.abort(), o.shutdownTimeoutMs).unref(),
    { once: true },
  );
  const ctx: RouteContext = {
    queue: o.queue,
    scheduler: o.scheduler,
    processSignals: () => ({ stop: o.stop, signal: AbortSignal.any([o.kill, deadline.signal]) }),
  };

  function authorize(req: IncomingMessage): void {
    if (!o.token)
      throw new HttpError(
        401,
        "NO_TOKEN_CONFIGURED",
        "this server has no API token, so it accepts no mutating request: set PLAYPROOF_API_TOKEN (or `playproof-batch config set serve.token -`) and restart serve",
        REALM,
      );
    if (!bearerMatches(o.token, req.headers.authorization))
      throw new HttpError(401, "UNAUTHORIZED", "missing or wrong bearer token", REALM);
  }

  async function answer(req: IncomingMessage): Promise<Answer> {
    if (closing)
      throw new HttpError(503, "SHUTTING_DOWN", "the server is shutting down", {
        "retry-after": "5",
      });
    const path = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    if (!o.loopback) authorize(req); // off loopback, not even the route list shows without it
    const { route, params, methods } = matchRoute(method, path);
    if (!route) {
      if (methods.length === 0) throw new HttpError(404, "NOT_FOUND", `no route ${path}`);
      throw new HttpError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${path}`, {
        allow: methods.join(", "),
      });
    }
    if (route.mutating) authorize(req);
    const type = mediaType(req.headers["content-type"]);
    const hasBody =
      Number(req.headers["content-length"] ?? 0) > 0 || "transfer-encoding" in req.headers;
    if (hasBody && route.method === "POST" && !(type && route.accepts.includes(type)))
      throw new HttpError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `expected a body of type ${route.accepts.join(", ")}, got ${type ?? "none"}`,
      );
    const body = await readBody(req, route.bodyLimit);
    return route.handle(ctx, { params, body, mediaType: type });
  }

  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
  ) {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      ...(closing ? { connection: "close" } : {}),
    });
    res.end(body);
  }

  const server = createServer(async (req, res) => {
    inFlight++;
    try {
      const a = await answer(req);
      if (a.text) send(res, a.status, { "content-type": a.text.contentType }, a.text.body);
      else
        send(res, a.status, { "content-type": "application/json" }, `${JSON.stringify(a.body)}\n`);
    } catch (err) {
      const e = errorAnswer(err);
      if (e.status >= 500) o.log("warn", `${req.method} ${req.url}: ${e.status} ${e.body.error}`);
      send(
        res,
        e.status,
        { ...e.headers, "content-type": "application/json" },
        `${JSON.stringify(e.body)}\n`,
      );
    } finally {
      inFlight--;
      o.log("debug", `${req.method} ${req.url} ${res.statusCode}`);
      // A keep-alive connection that went idle after shutdown began is not waited for.
      if (closing) res.once("finish", () => server.closeIdleConnections());
    }
  });
  // Slow clients cannot hold a connection open forever (issue 12).
  server.headersTimeout = o.headersTimeoutMs ?? 10_000;
  server.requestTimeout = o.requestTimeoutMs ?? 60_000;
  server.keepAliveTimeout = 5_000;

  return {
    async listen(host: string, port: number): Promise<AddressInfo> {
      server.listen(port, host);
      await Promise.race([
        once(server, "listening"),
        once(server, "error").then(([err]) => Promise.reject(err)),
      ]);
      return server.address() as AddressInfo;
    },
    inFlight: () => inFlight,
    /** Stops accepting, lets requests in flight and the scheduler's batch finish. */
    async shutdown(): Promise<void> {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([closed, o.scheduler.stop()]);
    },
  };
}
