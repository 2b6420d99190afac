/**
 * Issue 12: `serve` through the built binary and a real HTTP client (undici): every route, every
 * error status, the token rules.
 */
import { Readable } from "node:stream";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { describeBackends, type TestBackend } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { type Served, startServe } from "../support/serve.js";
import { makeSession, ndjson } from "../support/sessions.js";

const TOKEN = "t0ken-for-serve-tests-0123456789";
const B = "/api/v1/batch";
let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function world(b?: TestBackend) {
  const w = await cliWorld({ PLAYPROOF_API_TOKEN: TOKEN }, b);
  served = await startServe(w.env, ["--engine", "local"]);
  return { w, s: served };
}

describeBackends("serve: the routes", (b) => {
  it("answers health, stats, enqueue, result, process, clear and metrics", async () => {
    const { s } = await world(b);
    const health = await s.call("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: "ok", version: "0.1.0", scheduler: false });

    const empty = await s.call("GET", `${B}/stats`);
    expect(empty.status).toBe(200);
    expect(empty.json).toMatchObject({ schemaVersion: 1, sessions: 0, due: 0, lastBatch: null });

    // NDJSON: two good records, one rejected, one duplicate of the first: 207.
    const body = `${ndjson(2)}{"sessionId":"bad","movements":"no"}\n${JSON.stringify(makeSession(0))}\n`;
    const mixed = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body,
    });
    expect(mixed.status).toBe(207);
    expect(mixed.json).toMatchObject({ read: 4, accepted: 2, duplicates: 1, rejected: 1 });
    expect(mixed.json.records.accepted.map((a: { sessionId: string }) => a.sessionId)).toEqual([
      "s_0",
      "s_1",
    ]);
    expect(mixed.json.records.accepted[0].provisional.source).toBe("heuristic");
    expect(mixed.json.records.duplicates).toEqual(["s_0"]);
    expect(mixed.json.records.rejected).toEqual([
      { line: 3, message: `line 3 (bad): movements: expected an array, got string "no"` },
    ]);

    // A JSON array, all new: 200. All rejected: 422. Nothing: 400.
    const array = JSON.stringify([makeSession(2), makeSession(3)]);
    const ok = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/json",
      body: array,
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ read: 2, accepted: 2, duplicates: 0, rejected: 0 });
    const bad = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/json",
      body: "{nope",
    });
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ read: 1, accepted: 0, rejected: 1 });
    const none = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/json",
      body: "\n",
    });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ error: "no session in the body", code: "EMPTY_BODY" });

    const queued = await s.call("GET", `${B}/result/s_1`);
    expect(queued.status).toBe(200);
    expect(queued.json).toMatchObject({ sessionId: "s_1", status: "queued", provisional: true });

    const processed = await s.call("POST", `${B}/process`, { token: TOKEN });
    expect(processed.status).toBe(200);
    expect(processed.json).toMatchObject({
      engine: "local",
      batches: 1,
      sessions: 4,
      scored: 4,
      takenOver: 0,
    });

    const scored = await s.call("GET", `${B}/result/${encodeURIComponent("s_1")}`);
    expect(scored.json).toMatchObject({
      status: "scored",
      provisional: false,
      result: { source: "local" },
    });

    const stats = await s.call("GET", `${B}/stats`);
    expect(stats.json).toMatchObject({ sessions: 4, scored: 4, due: 0 });

    const metrics = await s.call("GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(metrics.text).toMatch(/^playproof_batch_sessions\{state="scored",queue="[^"]+"\} 4$/m);

    const cleared = await s.call("POST", `${B}/clear`, {
      token: TOKEN,
      type: "application/json",
      body: JSON.stringify({ processed: true }),
    });
    expect(cleared.status).toBe(200);
    expect(cleared.json).toEqual({ schemaVersion: 1, removed: 4, archived: 4, remaining: 0 });
    // Cleared sessions are still answered, from the archive.
    const archived = await s.call("GET", `${B}/result/s_1`);
    expect(archived.json).toMatchObject({ sessionId: "s_1", from: "archive", status: "scored" });
  }, 60_000);

  it("answers 400, 401, 404, 405, 413, 415 and 422 as JSON without a stack", async () => {
    const { s } = await world(b);
    const cases: [string, string, Parameters<Served["call"]>[2], number, string][] = [
      ["POST", `${B}/process`, {}, 401, "UNAUTHORIZED"],
      ["POST", `${B}/process`, { token: "wrong" }, 401, "UNAUTHORIZED"],
      ["POST", `${B}/process`, { headers: { authorization: TOKEN } }, 401, "UNAUTHORIZED"],
      ["GET", "/nope", {}, 404, "NOT_FOUND"],
      ["GET", `${B}/result/unknown%20id`, {}, 404, "UNKNOWN_SESSION"],
      ["DELETE", `${B}/stats`, {}, 405, "METHOD_NOT_ALLOWED"],
      ["GET", `${B}/process`, {}, 405, "METHOD_NOT_ALLOWED"],
      [
        "POST",
        `${B}/process`,
        { token: TOKEN, type: "application/json", body: "{bad" },
        400,
        "BAD_JSON",
      ],
      [
        "POST",
        `${B}/process`,
        { token: TOKEN, type: "application/json", body: "[1]" },
        400,
        "BAD_JSON",
      ],
      [
        "POST",
        `${B}/process`,
        { token: TOKEN, type: "application/json", body: '{"maxBatches":0}' },
        422,
        "USAGE",
      ],
      [
        "POST",
        `${B}/clear`,
        { token: TOKEN, type: "application/json", body: '{"olderThan":"soon"}' },
        422,
        "USAGE",
      ],
      [
        "POST",
        `${B}/scheduler/start`,
        { token: TOKEN, type: "application/json", body: '{"interval":"often"}' },
        422,
        "USAGE",
      ],
      [
        "POST",
        `${B}/enqueue`,
        { token: TOKEN, type: "text/plain", body: "{}" },
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      ],
      ["POST", `${B}/process`, { token: TOKEN, body: "{}" }, 415, "UNSUPPORTED_MEDIA_TYPE"],
      [
        "POST",
        `${B}/process`,
        { token: TOKEN, type: "application/json", body: `{"a":"${"x".repeat(70_000)}"}` },
        413,
        "BODY_TOO_LARGE",
      ],
    ];
    for (const [method, path, o, status, code] of cases) {
      const r = await s.call(method, path, o);
      expect({ method, path, status: r.status, code: r.json?.code }).toEqual({
        method,
        path,
        status,
        code,
      });
      expect(r.text).not.toMatch(/\n\s+at /);
    }
    const wrong = await s.call("POST", `${B}/process`, { token: "wrong" });
    expect(wrong.headers["www-authenticate"]).toBe('Bearer realm="playproof-batch"');
    const notAllowed = await s.call("DELETE", `${B}/stats`);
    expect(notAllowed.headers.allow).toBe("GET");
    const interval = await s.call("POST", `${B}/scheduler/start`, {
      token: TOKEN,
      type: "application/json",
      body: '{"interval":"often"}',
    });
    expect(interval.json.error).toBe(
      "watch.interval: expected a duration such as 30s, 5m or 24h, got often",
    );
  }, 60_000);

  it("answers 503 (retry later) when Woodwide cannot be reached, with what the run did", async () => {
    const w = await cliWorld(
      {
        PLAYPROOF_API_TOKEN: TOKEN,
        WOODWIDE_API_KEY: "k",
        WOODWIDE_BASE_URL: "http://127.0.0.1:9",
        PLAYPROOF_MODEL_ID: "m",
      },
      b,
    );
    served = await startServe(w.env, ["--mode", "direct"]);
    const s = served;
    await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body: ndjson(2),
    });
    const r = await s.call("POST", `${B}/process`, { token: TOKEN });
    expect(r.status).toBe(503);
    expect(r.headers["retry-after"]).toBe("30");
    expect(r.json).toMatchObject({
      code: "UNAVAILABLE",
      exitCode: 69,
      summary: { batches: 1, sessions: 2, scored: 0, stoppedBy: { kind: "unreachable" } },
    });
    expect(r.json.error).toMatch(/^process stopped: .*could not reach 127\.0\.0\.1:9/);
    expect((await s.call("GET", `${B}/stats`)).json).toMatchObject({ sessions: 2, due: 2 });
  }, 60_000);
});

describeBackends("serve: tokens and binds", (b) => {
  it("without a token on loopback: reads work, every POST answers 401", async () => {
    const w = await cliWorld({}, b);
    served = await startServe(w.env, ["--engine", "local"]);
    expect((await served.call("GET", `${B}/stats`)).status).toBe(200);
    for (const path of ["enqueue", "process", "clear", "scheduler/start", "scheduler/stop"]) {
      const r = await served.call("POST", `${B}/${path}`, { token: "anything" });
      expect([path, r.status, r.json.code]).toEqual([path, 401, "NO_TOKEN_CONFIGURED"]);
    }
    expect(served.stderr()).toMatch(/warning: serve: no API token/);
  }, 60_000);

  it("takes the token from the config file too, and `config list` shows it redacted", async () => {
    const w = await cliWorld({}, b);
    expect(
      (await w.run(["config", "set", "serve.token", "-"], { input: `${TOKEN}\n` })).exitCode,
    ).toBe(0);
    const list = JSON.parse((await w.run(["config", "list", "--json"])).stdout);
    expect(list.find((k: { key: string }) => k.key === "serve.token")).toEqual({
      key: "serve.token",
      value: "****6789",
      origin: "file",
      secret: true,
    });
    served = await startServe(w.env, ["--engine", "local"]);
    expect((await served.call("POST", `${B}/process`, { token: TOKEN })).status).toBe(200);
    expect(served.stderr()).not.toContain(TOKEN);
  }, 60_000);
});

// Bodies refused for their size before any of it reaches the queue: one backend is enough.
describe("serve: body limits", () => {
  it("a record over the 16 MiB enqueue limit is refused whole with 413, nothing queued", async () => {
    const { s } = await world();
    const big = `${JSON.stringify(makeSession(0))}\n{"sessionId":"x","pad":"${"y".repeat(16 * 1024 * 1024)}"}\n`;
    const r = await s.call("POST", `${B}/enqueue`, {
      token: TOKEN,
      type: "application/x-ndjson",
      body: big,
    });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: "request body is larger than 16 MiB", code: "BODY_TOO_LARGE" });
    expect((await s.call("GET", `${B}/stats`)).json.sessions).toBe(0);
  }, 60_000);

  it("a streamed body (chunked, no Content-Length) is refused with 413 once it passes 16 MiB, nothing queued", async () => {
    const { s } = await world();
    let sent = 0;
    // A stream has no length: undici sends it chunked. A valid session first, then one
    // record that does not end before 24 MiB.
    const body = Readable.from(
      (async function* () {
        const first = `${JSON.stringify(makeSession(0))}\n{"sessionId":"x","pad":"`;
        sent += first.length;
        yield Buffer.from(first);
        const mib = Buffer.alloc(1024 * 1024, "y");
        while (sent < 24 * 1024 * 1024) {
          sent += mib.length;
          yield mib;
        }
      })(),
    );
    const r = await request(`${s.url}${B}/enqueue`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" },
      body,
    });
    expect(r.statusCode).toBe(413);
    expect(await r.body.json()).toEqual({
      error: "request body is larger than 16 MiB",
      code: "BODY_TOO_LARGE",
    });
    expect((await s.call("GET", `${B}/stats`)).json.sessions).toBe(0);
  }, 60_000);
});

// Binds and tokens checked before any route reads the queue: one backend is enough.
describe("serve: binds", () => {
  it("refuses a non-loopback bind without a token (exit 78), and needs the token for every route with one", async () => {
    const w = await cliWorld();
    const refused = await w.run(["serve", "--listen", "0.0.0.0:0"]);
    expect(refused.exitCode).toBe(78);
    expect(refused.stderr).toMatch(
      /serve: 0\.0\.0\.0 is not a loopback address and no API token is set/,
    );

    served = await startServe(
      { ...w.env, PLAYPROOF_API_TOKEN: TOKEN },
      ["--engine", "local"],
      "0.0.0.0:0",
    );
    for (const path of ["/healthz", "/metrics", `${B}/stats`, `${B}/scheduler/status`, "/nope"]) {
      expect([path, (await served.call("GET", path)).status]).toEqual([path, 401]);
    }
    expect((await served.call("GET", "/healthz", { token: TOKEN })).status).toBe(200);
    expect((await served.call("GET", "/nope", { token: TOKEN })).status).toBe(404);
  }, 60_000);
});
