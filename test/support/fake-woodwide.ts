/**
 * A loopback fake Woodwide (woodwide-api.md) for tests: real HTTP on 127.0.0.1, Bearer auth,
 * multipart uploads, jobs that advance per poll, a simple real model, shuffled answers, every
 * result shape, and scripted faults. It stands in for the network only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { seededRandom } from "../../src/scoring/random.js";
import type { Answer, FakeRequest } from "./fake-answers.js";
import {
  type ActiveFault,
  createFaultBook,
  type FakeEndpoint,
  type FaultKind,
  type FaultSpec,
  faultAnswer,
  isRowFault,
} from "./fake-faults.js";
import type { Row } from "./fake-model.js";
import { ROUTES } from "./fake-routes.js";
import {
  createFakeState,
  DEFAULT_SETTINGS,
  type FakeModel,
  type FakeSettings,
} from "./fake-state.js";

export interface RequestLogEntry {
  seq: number;
  method: string;
  path: string;
  endpoint: FakeEndpoint | "unknown";
  /** Request headers; the Authorization value is replaced by "[present]". */
  headers: Record<string, string>;
  hadAuth: boolean;
  fields?: Record<string, string>;
  /** The uploaded file's text, for uploads and direct inference. */
  csv?: string;
  json?: unknown;
  status?: number;
  fault?: FaultKind;
  /** For GET /jobs/{id}: the status answered. */
  jobStatus?: string;
  /** Answered 503 by settings.flakyFraction. */
  flaky?: boolean;
  /** For an oversized answer: the bytes the client took before it hung up. */
  sentBytes?: number;
}

export interface FakeWoodwide {
  url: string;
  apiKey: string;
  settings: FakeSettings;
  requests: RequestLogEntry[];
  faults: readonly ActiveFault[];
  /** Queues a fault; several may be queued, the first matching one applies. */
  setFault(spec: FaultSpec | FaultKind): ActiveFault;
  clearFaults(): void;
  models: Map<string, FakeModel>;
  /** A ready, untrained model that flags rows by settings.flagColumn > settings.flagAbove. */
  defaultModelId: string;
  addModel(opts?: Partial<FakeModel> & { training?: Row[] }): FakeModel;
  close(): Promise<void>;
}

export async function startFakeWoodwide(opts: Partial<FakeSettings> = {}): Promise<FakeWoodwide> {
  const settings: FakeSettings = { ...DEFAULT_SETTINGS, ...opts };
  const state = createFakeState(settings);
  const book = createFaultBook();
  const requests: RequestLogEntry[] = [];
  let baseUrl = "";
  // The flaky draws restart with clearFaults() or a new seed, so each test sees the same ones.
  let flaky = { seed: Number.NaN, draw: () => 0 };
  const flakyNow = () => {
    if (flaky.seed !== settings.flakySeed)
      flaky = { seed: settings.flakySeed, draw: seededRandom(settings.flakySeed) };
    return settings.flakyFraction > 0 && flaky.draw() < settings.flakyFraction;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const body = Buffer.concat(await req.toArray());
    const url = new URL(req.url ?? "/", baseUrl);
    const route = ROUTES.find(([m, re]) => m === req.method && re.test(url.pathname));
    const auth = req.headers.authorization;
    const entry: RequestLogEntry = {
      seq: requests.length,
      method: req.method ?? "",
      path: url.pathname,
      endpoint: route?.[2] ?? "unknown",
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          k === "authorization" ? "[present]" : String(v),
        ]),
      ),
      hadAuth: auth !== undefined,
    };
    requests.push(entry);
    const fr: FakeRequest = { params: [], fields: {}, baseUrl };
    await readBody(req, body, fr, entry);
    if (settings.latencyMs) await delay(settings.latencyMs);
    if (!route) return send(res, entry, { status: 404, body: { detail: "Not Found" } });
    const [, re, endpoint, handler] = route;
    fr.params = (re.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
    if (endpoint === "download") {
      // Like S3: a signed URL plus an Authorization header is two auth mechanisms, refused.
      if (auth)
        return send(res, entry, {
          status: 400,
          text: "<Error><Code>InvalidArgument</Code></Error>",
        });
    } else if (auth !== `Bearer ${settings.apiKey}`) {
      // Echoes what was presented, as careless servers do, so redaction is really tested.
      return send(res, entry, {
        status: 401,
        body: { detail: `Invalid API key: ${auth ?? "none"}` },
      });
    }
    if (flakyNow()) {
      entry.flaky = true;
      return send(res, entry, {
        status: 503,
        body: { detail: "Service temporarily unavailable (flaky)" },
      });
    }
    const fault = book.take(endpoint);
    if (fault) {
      entry.fault = fault.kind;
      if (isRowFault(fault.kind)) fr.rowFault = fault.kind;
      else if (fault.kind === "job-failed") fr.jobFault = fault.message ?? "worker crashed";
      else {
        const answer = faultAnswer(fault, auth);
        if (answer === "hang")
          entry.status = 0; // never answered: the client's timeout must fire
        else if (answer === "reset") {
          entry.status = -1;
          req.socket.destroy();
        } else if (answer === "oversized")
          streamOversized(res, entry, fault.bytes ?? 700 * 2 ** 20);
        else send(res, entry, answer);
        return;
      }
    }
    const answer = handler(fr, state, settings);
    if (endpoint === "job" && isObj(answer.body)) entry.jobStatus = String(answer.body.status);
    send(res, entry, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const defaultModel = state.addModel({ name: "default-rule-model" });

  return {
    url: baseUrl,
    apiKey: settings.apiKey,
    settings,
    requests,
    faults: book.faults,
    setFault: book.add,
    clearFaults: () => {
      book.clear();
      flaky.seed = Number.NaN;
    },
    models: state.models,
    defaultModelId: defaultModel.id,
    addModel: state.addModel,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hanging requests never finish on their own
        server.close(() => resolve());
      }),
  };
}

async function readBody(
  req: IncomingMessage,
  body: Buffer,
  fr: FakeRequest,
  entry: RequestLogEntry,
) {
  const type = req.headers["content-type"] ?? "";
  if (type.startsWith("multipart/form-data")) {
    const form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": type },
      body,
    }).formData();
    for (const [key, value] of form) {
      if (typeof value === "string") fr.fields[key] = value;
      else if (key === "file") fr.file = await value.text();
    }
    entry.fields = fr.fields;
    if (fr.file !== undefined) entry.csv = fr.file;
  } else if (type.includes("json") && body.length) {
    const json: unknown = JSON.parse(body.toString("utf8"));
    entry.json = json;
    if (isObj(json)) fr.json = json;
  }
}

function send(res: ServerResponse, entry: RequestLogEntry, a: Answer) {
  entry.status = a.status;
  const text = a.text ?? (a.body === undefined ? "" : JSON.stringify(a.body));
  const type = a.contentType ?? (a.text === undefined ? "application/json" : "text/plain");
  res.writeHead(a.status, { "content-type": type, ...a.headers });
  res.end(text);
}

/** A JSON-looking body of `total` bytes, generated as the client reads (backpressure). */
function streamOversized(res: ServerResponse, entry: RequestLogEntry, total: number) {
  entry.status = 200;
  entry.sentBytes = 0;
  const chunk = Buffer.alloc(64 * 1024, "0,");
  async function* body() {
    yield Buffer.from('{"id":[');
    for (let sent = 0; sent < total; sent += chunk.length) {
      entry.sentBytes = (entry.sentBytes ?? 0) + chunk.length;
      yield chunk;
    }
    yield Buffer.from("0]}");
  }
  res.writeHead(200, { "content-type": "application/json" });
  const stream = Readable.from(body());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
