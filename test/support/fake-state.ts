/**
 * What the fake Woodwide remembers: datasets and versions, jobs that advance one step per poll
 * (so "slow ingest" is a count of polls, not wall time), and models.
 */
import { randomUUID } from "node:crypto";
import {
  type Row,
  type ScoredRow,
  type ScoringModel,
  scoreRows,
  trainStats,
} from "./fake-model.js";

export interface FakeSettings {
  apiKey: string;
  /** Seed of the shuffled answer order. */
  seed: number;
  /** Polls an ingest job answers `running` before `succeeded` (slow ingest: raise it). */
  ingestPolls: number;
  inferPolls: number;
  trainPolls: number;
  /** Times GET /jobs/{id}/results answers 404 after the job succeeded. */
  resultsNotReadyPolls: number;
  resultShape: "inline" | "data" | "url" | "csv";
  /** What a signed URL serves. */
  downloadFormat: "csv" | "json";
  /** Mean |z| above which a trained model flags a row. */
  threshold: number;
  /** Rule for models without training data. */
  flagColumn: string;
  flagAbove: number;
  creditsPerRow: number;
  maxUploadBytes: number;
  /** Added before every answer (bench: leave 0). */
  latencyMs: number;
  /** Issue 14: this share of calls (after auth) answers 503, drawn from a PRNG seeded with flakySeed. */
  flakyFraction: number;
  flakySeed: number;
}

export const DEFAULT_SETTINGS: FakeSettings = {
  apiKey: "ww_test_key_0123456789",
  seed: 42,
  ingestPolls: 1,
  inferPolls: 1,
  trainPolls: 1,
  resultsNotReadyPolls: 0,
  resultShape: "inline",
  downloadFormat: "csv",
  threshold: 3,
  flagColumn: "avgSpeed",
  flagAbove: 5000,
  creditsPerRow: 0.01,
  maxUploadBytes: 30 * 1024 * 1024,
  latencyMs: 0,
  flakyFraction: 0,
  flakySeed: 14,
};

export interface FakeVersion {
  id: string;
  datasetId: string;
  number: number;
  columns: string[];
  rows: Row[];
  ingestJobId: string;
}
export interface FakeJob {
  id: string;
  type: "dataset_ingest" | "train" | "infer_sync" | "infer_batch";
  status: string;
  pollsLeft: number;
  polls: number;
  errorMessage?: string;
  creditsConsumed: number;
  results?: ScoredRow[];
  outputType?: string;
  anomalyFormat?: string;
  notReadyLeft: number;
}
export interface FakeModel extends ScoringModel {
  id: string;
  name: string;
  versionId: string;
  inputColumns?: string[];
  trainJobId?: string;
}

export function createFakeState(settings: FakeSettings) {
  const datasets = new Map<string, { id: string; name: string; versions: FakeVersion[] }>();
  const versions = new Map<string, FakeVersion>();
  const jobs = new Map<string, FakeJob>();
  const models = new Map<string, FakeModel>();
  /** Signed-URL downloads by token. */
  const downloads = new Map<string, { text: string; contentType: string }>();

  function newJob(type: FakeJob["type"], polls: number, extra: Partial<FakeJob> = {}): FakeJob {
    const job: FakeJob = {
      id: randomUUID(),
      type,
      status: polls > 0 ? "queued" : "succeeded",
      pollsLeft: polls,
      polls: 0,
      creditsConsumed: 0,
      notReadyLeft: settings.resultsNotReadyPolls,
      ...extra,
    };
    jobs.set(job.id, job);
    return job;
  }

  /** One observation of a job: it moves one step towards done (or stays failed). */
  function advance(job: FakeJob): FakeJob {
    job.polls++;
    if (job.status === "failed" || job.status === "succeeded") return job;
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      job.status = "running";
    } else job.status = "succeeded";
    return job;
  }

  const isReady = (v: FakeVersion) => jobs.get(v.ingestJobId)?.status === "succeeded";

  function modelStatus(m: FakeModel): string {
    const job = m.trainJobId ? jobs.get(m.trainJobId) : undefined;
    if (!job) return "ready";
    // The doc does not name a model failure value: a failed training stays "processing" and
    // only the train job tells, which is why clients must poll both.
    return job.status === "succeeded" ? "ready" : job.status === "queued" ? "queued" : "processing";
  }

  function score(model: FakeModel, rows: Row[]): ScoredRow[] {
    const rule = model.rule ?? { column: settings.flagColumn, above: settings.flagAbove };
    return scoreRows(model.stats ? model : { rule }, rows, settings.threshold);
  }

  function addModel(opts: Partial<FakeModel> & { training?: Row[] } = {}): FakeModel {
    const { training, ...rest } = opts;
    const model: FakeModel = {
      id: randomUUID(),
      name: "fake-model",
      versionId: randomUUID(),
      ...rest,
    };
    if (training) {
      const cols = model.inputColumns ?? Object.keys(training[0] ?? {});
      model.stats = trainStats(training, cols);
    }
    models.set(model.id, model);
    return model;
  }

  return {
    datasets,
    versions,
    jobs,
    models,
    downloads,
    newJob,
    advance,
    isReady,
    modelStatus,
    score,
    addModel,
  };
}

export type FakeState = ReturnType<typeof createFakeState>;
