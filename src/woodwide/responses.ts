/**
 * Defensive readers for Woodwide JSON answers. A missing required field is "malformed"
 * (retryable), so a half-written answer is never mistaken for a result.
 */
import { malformed } from "./classify.js";
import type { Job, Model } from "./types.js";

type Obj = Record<string, unknown>;

export function pickObject(body: Obj, key: string, label: string): Obj {
  const v = body[key];
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Obj;
  throw malformed(label, `no "${key}" object`);
}

export function pickString(body: Obj, key: string, label: string): string {
  const v = body[key];
  if (typeof v === "string" && v) return v;
  if (typeof v === "number") return String(v);
  throw malformed(label, `no "${key}"`);
}

export function pickNumber(body: Obj, key: string): number | undefined {
  const v = body[key];
  const n = typeof v === "string" && v.trim() ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

export function parseJob(body: Obj, jobId: string): Job {
  const label = `GET /jobs/${jobId}`;
  const status = pickString(body, "status", label).toLowerCase();
  const errorMessage = body.error_message;
  return {
    jobId: typeof body.job_id === "string" ? body.job_id : jobId,
    ...(typeof body.type === "string" ? { type: body.type } : {}),
    status,
    ...opt("progress", pickNumber(body, "progress")),
    ...(typeof errorMessage === "string" && errorMessage ? { errorMessage } : {}),
    ...opt("creditsConsumed", pickNumber(body, "credits_consumed")),
  };
}

/** GET /models/{id} may answer the model itself or wrap it in `model`; accept both. */
export function parseModel(raw: unknown, modelId: string): Model {
  const label = `model ${modelId || "(new)"}`;
  if (typeof raw !== "object" || raw === null) throw malformed(label, "no model object");
  const outer = raw as Obj;
  const body =
    typeof outer.model === "object" && outer.model !== null ? (outer.model as Obj) : outer;
  // `training_status` is the old beta API's name; harmless to accept.
  const status = body.status ?? body.training_status ?? outer.status;
  return {
    id: typeof body.id === "string" ? body.id : pickString(body, "model_id", label),
    status: typeof status === "string" ? status.toLowerCase() : "unknown",
    ...(typeof body.version_id === "string" ? { versionId: body.version_id } : {}),
    ...opt("versionNumber", pickNumber(body, "version_number")),
  };
}

function opt<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}
