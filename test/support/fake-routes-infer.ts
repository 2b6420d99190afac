/** Inference, job and results endpoints of the fake Woodwide (woodwide-api.md "Inference"). */
import { randomUUID } from "node:crypto";
import { type FakeRequest, fail, type Handler, jobBody, missingField } from "./fake-answers.js";
import {
  breakRows,
  parseCsvTable,
  type RowFault,
  shuffled,
  toColumns,
  toCsv,
} from "./fake-model.js";
import type { FakeJob, FakeState } from "./fake-state.js";

function rowsAnswer(job: FakeJob, seed: number, fault?: RowFault) {
  const rows = shuffled(job.results ?? [], seed);
  return fault ? breakRows(rows, fault) : rows;
}

function readyModel(req: FakeRequest, s: FakeState) {
  const m = s.models.get(req.params[0] ?? "");
  if (!m) return fail(404, "Model not found");
  return s.modelStatus(m) === "ready" ? m : fail(422, "Model is not ready");
}

export const inferBatch: Handler = (req, s, cfg) => {
  const model = readyModel(req, s);
  if ("status" in model) return model;
  const b = req.json ?? {};
  if (typeof b.dataset_version_id !== "string") return missingField("dataset_version_id");
  const version = s.versions.get(b.dataset_version_id);
  if (!version) return fail(404, "Dataset version not found");
  // The seed's bug, reproduced: inferring before ingest finished answers no rows at all.
  const rows = s.isReady(version) ? s.score(model, version.rows) : [];
  const job = s.newJob("infer_batch", cfg.inferPolls, {
    results: req.rowFault ? breakRows(rows, req.rowFault) : rows,
    outputType: String(b.output_type ?? "csv"),
    anomalyFormat: String(b.anomaly_format ?? "ids_only"),
    creditsConsumed: rows.length * cfg.creditsPerRow,
  });
  if (req.jobFault !== undefined)
    Object.assign(job, { status: "failed", errorMessage: req.jobFault });
  return {
    status: 200,
    body: {
      job_id: job.id,
      status: job.status,
      model: { id: model.id, version_id: model.versionId },
    },
  };
};

export const inferDirect: Handler = (req, s, cfg) => {
  const model = readyModel(req, s);
  if ("status" in model) return model;
  if (req.file === undefined) return missingField("file");
  const started = performance.now();
  const rows = s.score(model, parseCsvTable(req.file).rows);
  const job = s.newJob("infer_sync", 0, {
    results: rows,
    creditsConsumed: rows.length * cfg.creditsPerRow,
  });
  if (req.jobFault !== undefined) {
    Object.assign(job, { status: "failed", errorMessage: req.jobFault });
    return {
      status: 200,
      body: { job_id: job.id, status: "failed", error_message: req.jobFault, model_id: model.id },
    };
  }
  const answer = rowsAnswer(job, cfg.seed + s.jobs.size, req.rowFault);
  const format: Record<string, string> = {
    ...req.fields,
    output_type: req.fields.output_type ?? "csv",
  };
  if (format.output_type !== "json")
    return { status: 200, text: toCsv(answer), contentType: "text/csv" };
  const data =
    format.anomaly_format === "per_row"
      ? toColumns(answer)
      : { ids: answer.filter((r) => r.isAnomaly).map((r) => r.id) };
  const latency_ms = Math.round((performance.now() - started) * 1000) / 1000;
  return {
    status: 200,
    body: {
      job_id: job.id,
      status: "succeeded",
      latency_ms,
      model_id: model.id,
      model_version_id: model.versionId,
      model_type: "anomaly",
      data,
    },
  };
};

export const getJob: Handler = (req, s) => {
  const job = s.jobs.get(req.params[0] ?? "");
  if (!job) return fail(404, "Job not found");
  if (req.jobFault !== undefined)
    Object.assign(job, { status: "failed", errorMessage: req.jobFault });
  return { status: 200, body: jobBody(s.advance(job)) };
};

export const results: Handler = (req, s, cfg) => {
  const job = s.jobs.get(req.params[0] ?? "");
  if (!job) return fail(404, "Job not found");
  if (job.status !== "succeeded" || job.notReadyLeft-- > 0)
    return fail(404, "Results not available yet");
  const rows = rowsAnswer(job, cfg.seed + job.polls, req.rowFault);
  if (job.outputType !== "json") return { status: 200, text: toCsv(rows), contentType: "text/csv" };
  const payload =
    job.anomalyFormat === "per_row"
      ? toColumns(rows)
      : { ids: rows.filter((r) => r.isAnomaly).map((r) => r.id) };
  if (cfg.resultShape === "inline") return { status: 200, body: payload };
  if (cfg.resultShape === "data") return { status: 200, body: { job_id: job.id, data: payload } };
  if (cfg.resultShape === "csv") return { status: 200, text: toCsv(rows), contentType: "text/csv" };
  const token = randomUUID();
  s.downloads.set(
    token,
    cfg.downloadFormat === "csv"
      ? { text: toCsv(rows), contentType: "text/csv" }
      : { text: JSON.stringify(payload), contentType: "application/json" },
  );
  const url = `${req.baseUrl}/downloads/${token}?X-Signature=${randomUUID()}&Expires=3600`;
  return { status: 200, body: { job_id: job.id, result_url: url, expires_in: 3600 } };
};

export const download: Handler = (req, s) => {
  const file = s.downloads.get(req.params[0] ?? "");
  return file
    ? { status: 200, text: file.text, contentType: file.contentType }
    : fail(404, "NoSuchKey");
};
