/** Dataset and model endpoints of the fake Woodwide (woodwide-api.md "Datasets", "Models"). */
import { randomUUID } from "node:crypto";
import { fail, type Handler, missingField } from "./fake-answers.js";
import { parseCsvTable } from "./fake-model.js";

export const upload: Handler = (req, s, cfg) => {
  if (req.file === undefined) return missingField("file");
  if (Buffer.byteLength(req.file) > cfg.maxUploadBytes) return fail(413, "File too large");
  const { dataset_id: datasetId, dataset_name: name } = req.fields;
  if (!datasetId && !name) return missingField("dataset_name");
  const dataset = datasetId
    ? s.datasets.get(datasetId)
    : { id: randomUUID(), name: name ?? "", versions: [] };
  if (!dataset) return fail(404, `Dataset ${datasetId} not found`);
  s.datasets.set(dataset.id, dataset);
  const table = parseCsvTable(req.file);
  const job = s.newJob("dataset_ingest", cfg.ingestPolls);
  const version = {
    id: randomUUID(),
    datasetId: dataset.id,
    number: dataset.versions.length + 1,
    ...table,
    ingestJobId: job.id,
  };
  if (req.fields.override === "true") dataset.versions.pop();
  dataset.versions.push(version);
  s.versions.set(version.id, version);
  return {
    status: 200,
    body: {
      dataset: { id: dataset.id, version_id: version.id, version_number: version.number },
      job_id: job.id,
      status: job.status,
    },
  };
};

export const datasetVersion: Handler = (req, s) => {
  const v = s.versions.get(req.params[1] ?? "");
  if (!v) return fail(404, "Dataset version not found");
  const job = s.jobs.get(v.ingestJobId);
  if (job) s.advance(job); // a status read is an observation, like GET /jobs/{id}
  const status = s.isReady(v) ? "ready" : job?.status === "failed" ? "failed" : "processing";
  return {
    status: 200,
    body: {
      id: v.id,
      dataset_id: v.datasetId,
      version_number: v.number,
      status,
      row_count: v.rows.length,
    },
  };
};

export const train: Handler = (req, s, cfg) => {
  const b = req.json ?? {};
  if (b.model_type !== "anomaly") return fail(422, "model_type must be anomaly");
  if (typeof b.model_name !== "string") return missingField("model_name");
  const version =
    typeof b.dataset_version_id === "string"
      ? s.versions.get(b.dataset_version_id)
      : s.datasets.get(String(b.dataset_id))?.versions.at(-1);
  if (!version) return fail(404, "Dataset not found");
  if (!s.isReady(version)) return fail(422, "Dataset version is still processing");
  const inputs = Array.isArray(b.input_columns) ? b.input_columns.map(String) : version.columns;
  const unknown = inputs.filter((c) => !version.columns.includes(c));
  if (unknown.length) return fail(422, `Unknown input_columns: ${unknown.join(", ")}`);
  const job = s.newJob("train", cfg.trainPolls);
  const model = s.addModel({
    name: b.model_name,
    inputColumns: inputs,
    training: version.rows,
    trainJobId: job.id,
  });
  return {
    status: 200,
    body: {
      model: { id: model.id, version_id: model.versionId, version_number: 1 },
      job_id: job.id,
      status: job.status,
    },
  };
};

export const getModel: Handler = (req, s) => {
  const m = s.models.get(req.params[0] ?? "");
  if (!m) return fail(404, "Model not found");
  const job = m.trainJobId ? s.jobs.get(m.trainJobId) : undefined;
  if (job) {
    if (req.jobFault !== undefined)
      Object.assign(job, { status: "failed", errorMessage: req.jobFault });
    s.advance(job);
  }
  return {
    status: 200,
    body: {
      id: m.id,
      name: m.name,
      type: "anomaly",
      status: s.modelStatus(m),
      version_id: m.versionId,
      input_columns: m.inputColumns ?? null,
    },
  };
};
