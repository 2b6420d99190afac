/**
 * Woodwide REST client (woodwide-api.md). Thin: each method is one call plus response checking;
 * classification lives in classify.ts, transport in http.ts, waiting in poll.ts.
 */
import type { Dispatcher } from "undici";
import { malformed } from "./classify.js";
import { createHttp, type SendOptions, undici } from "./http.js";
import { findDownloadUrl } from "./parse-results.js";
import { parseJob, parseModel, pickNumber, pickObject, pickString } from "./responses.js";
import type { RetriedCall, RetryHooks } from "./retrying.js";
import type { CallOptions, WoodwideClient } from "./types.js";

export interface WoodwideClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per request, headers and body together. Default 30 s. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** In-place retries (issue 14): injectable randomness, clock and sleep, bounds. */
  retry?: RetryHooks;
  /** Told of every in-place retry of every call (e.g. a verbose log line). */
  onRetry?: (r: RetriedCall) => void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function createWoodwideClient(opts: WoodwideClientOptions): WoodwideClient {
  const http = createHttp({ ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });

  async function json(method: "GET" | "POST", path: string, o: SendOptions) {
    const res = await http.send(method, path, o);
    const label = `${method} ${path}`;
    if (!res.text.trim()) throw malformed(label, "an empty body");
    try {
      const value: unknown = JSON.parse(res.text);
      if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw malformed(label, "a body that is not a JSON object");
  }

  const id = (s: string) => encodeURIComponent(s);
  const call = (o: CallOptions | undefined): SendOptions => ({
    signal: o?.signal,
    deadline: o?.deadline,
    onRetry: o?.onRetry,
    rows: o?.rows,
  });
  const file = (csv: string | Buffer) =>
    new Blob([typeof csv === "string" ? csv : new Uint8Array(csv)], { type: "text/csv" });

  return {
    async uploadDataset(input, o?: CallOptions) {
      const form = new (undici().FormData)();
      form.append("file", file(input.csv), input.fileName);
      if (input.datasetId) form.append("dataset_id", input.datasetId);
      else if (input.datasetName) form.append("dataset_name", input.datasetName);
      else throw new TypeError("uploadDataset needs datasetName or datasetId");
      if (input.description) form.append("description", input.description);
      if (input.override !== undefined) form.append("override", String(input.override));
      // A repeated upload adds an unused version at worst: harmless to repeat (issue 14).
      const body = await json("POST", "/datasets", { ...call(o), form, repeatable: true });
      const dataset = pickObject(body, "dataset", "POST /datasets");
      return {
        datasetId: pickString(dataset, "id", "POST /datasets"),
        versionId: pickString(dataset, "version_id", "POST /datasets"),
        versionNumber: pickNumber(dataset, "version_number"),
        jobId: pickString(body, "job_id", "POST /datasets"),
      };
    },

    async getJob(jobId, o?: CallOptions) {
      return parseJob(await json("GET", `/jobs/${id(jobId)}`, call(o)), jobId);
    },

    async inferBatch(modelId, input, o?: CallOptions) {
      const path = `/models/${id(modelId)}/infer-batch`;
      const body = await json("POST", path, {
        ...call(o),
        json: {
          dataset_version_id: input.datasetVersionId,
          // Defaults are csv and ids_only (woodwide-api.md): always ask for per-row JSON.
          output_type: "json",
          anomaly_format: "per_row",
          ...(input.modelVersionId ? { model_version_id: input.modelVersionId } : {}),
        },
      });
      const model = body.model === undefined ? undefined : parseModel(body.model, modelId);
      return {
        jobId: pickString(body, "job_id", `POST ${path}`),
        ...(model ? { model: { id: model.id, versionId: model.versionId } } : {}),
      };
    },

    async getJobResults(jobId, o?: CallOptions) {
      const res = await http.send("GET", `/jobs/${id(jobId)}/results`, call(o));
      let url: string | undefined;
      try {
        url = findDownloadUrl(JSON.parse(res.text));
      } catch {
        url = undefined; // CSV or junk: parse-results decides
      }
      if (!url) return { text: res.text, contentType: res.contentType };
      // Signed URLs carry their own credentials; the Bearer key must not travel to storage.
      const target = /^https?:\/\//.test(url) ? url : new URL(url, opts.baseUrl).href;
      const download = await http.send("GET", target, { ...call(o), auth: false });
      return { text: download.text, contentType: download.contentType };
    },

    async inferDirect(modelId, input, o?: CallOptions) {
      const path = `/models/${id(modelId)}/infer`;
      const form = new (undici().FormData)();
      form.append("file", file(input.csv), input.fileName);
      form.append("output_type", "json");
      form.append("anomaly_format", "per_row");
      if (input.modelVersionId) form.append("model_version_id", input.modelVersionId);
      const body = await json("POST", path, { ...call(o), form });
      return {
        jobId: pickString(body, "job_id", `POST ${path}`),
        status: String(body.status ?? "succeeded").toLowerCase(),
        latencyMs: pickNumber(body, "latency_ms"),
        creditsConsumed: pickNumber(body, "credits_consumed"),
        modelVersionId:
          typeof body.model_version_id === "string" ? body.model_version_id : undefined,
        data: body.data,
      };
    },

    async trainModel(input, o?: CallOptions) {
      const body = await json("POST", "/models/train", {
        ...call(o),
        json: {
          model_name: input.modelName,
          model_type: "anomaly",
          ...(input.datasetVersionId
            ? { dataset_version_id: input.datasetVersionId }
            : { dataset_id: input.datasetId }),
          // Explicit inputs keep identifiers from ever becoming features (woodwide-api.md).
          input_columns: input.inputColumns,
          ...(input.description ? { model_description: input.description } : {}),
        },
      });
      const model = parseModel(pickObject(body, "model", "POST /models/train"), "");
      return {
        modelId: model.id,
        versionId: model.versionId,
        jobId: pickString(body, "job_id", "POST /models/train"),
      };
    },

    async getModel(modelId, o?: CallOptions) {
      return parseModel(await json("GET", `/models/${id(modelId)}`, call(o)), modelId);
    },

    close: () => http.close(),
  };
}
