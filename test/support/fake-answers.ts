/** Shared shapes and small answers of the fake Woodwide's handlers. */
import type { RowFault } from "./fake-model.js";
import type { FakeJob, FakeSettings, FakeState } from "./fake-state.js";

export interface FakeRequest {
  params: string[];
  fields: Record<string, string>;
  file?: string;
  json?: Record<string, unknown>;
  rowFault?: RowFault;
  jobFault?: string;
  baseUrl: string;
}
export interface Answer {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}
export type Handler = (req: FakeRequest, s: FakeState, cfg: FakeSettings) => Answer;

export const fail = (status: number, detail: unknown): Answer => ({ status, body: { detail } });
export const missingField = (field: string) =>
  fail(422, [{ loc: ["body", field], msg: "Field required", type: "missing" }]);

export function jobBody(job: FakeJob) {
  const progress = job.status === "succeeded" ? 100 : job.status === "running" ? 50 : 0;
  return {
    job_id: job.id,
    type: job.type,
    status: job.status,
    progress,
    error_message: job.errorMessage ?? null,
    credits_consumed: job.creditsConsumed,
  };
}
