/** Shapes the Woodwide client returns (woodwide-api.md); field names are camelCase here. */
import type { RetriedCall } from "./retrying.js";

export type JobStatus =
  | "initializing"
  | "pending"
  | "queued"
  | "running"
  | "waiting_for_upload"
  | "succeeded"
  | "failed"
  | "canceled"
  | "rejected";

export interface Job {
  jobId: string;
  type?: string;
  /** Lower-cased; unknown values are kept as-is and polled like a running job. */
  status: JobStatus | (string & {});
  progress?: number;
  errorMessage?: string;
  creditsConsumed?: number;
}

export interface Model {
  id: string;
  /** Seen: queued, processing, ready. The failure value is unconfirmed. */
  status: string;
  versionId?: string;
  versionNumber?: number;
}

export interface UploadDatasetInput {
  csv: string | Buffer;
  fileName: string;
  /** Creates a new dataset. */
  datasetName?: string;
  /** Adds a new version to this dataset. */
  datasetId?: string;
  description?: string;
  /** Replace the current version instead of adding one. */
  override?: boolean;
}

export interface UploadDatasetResult {
  datasetId: string;
  versionId: string;
  versionNumber: number | undefined;
  jobId: string;
}

export interface InferBatchResult {
  jobId: string;
  model?: { id?: string; versionId?: string; versionNumber?: number };
}

export interface InferDirectResult {
  jobId: string;
  status: string;
  latencyMs: number | undefined;
  modelVersionId: string | undefined;
  /** Not in the documented answer; read if Woodwide sends it. */
  creditsConsumed: number | undefined;
  /** The per_row column JSON as answered; parse with parseResultsValue. */
  data: unknown;
}

export interface TrainModelInput {
  modelName: string;
  datasetId?: string;
  datasetVersionId?: string;
  inputColumns: string[];
  description?: string;
}

export interface TrainModelResult {
  modelId: string;
  versionId: string | undefined;
  jobId: string;
}

/** A results body after any signed URL was followed. */
export interface ResultsBody {
  text: string;
  contentType: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  /** Epoch ms: no in-place retry waits past it (issue 14: the attempt's deadline). */
  deadline?: number | undefined;
  /** Told of each in-place retry (issue 14), e.g. to count them per batch. */
  onRetry?: ((r: RetriedCall) => void) | undefined;
  /** Rows the answer carries: sizes the response body cap (body-cap.ts). */
  rows?: number | undefined;
}

export interface WoodwideClient {
  uploadDataset(input: UploadDatasetInput, opts?: CallOptions): Promise<UploadDatasetResult>;
  getJob(jobId: string, opts?: CallOptions): Promise<Job>;
  inferBatch(
    modelId: string,
    input: { datasetVersionId: string; modelVersionId?: string },
    opts?: CallOptions,
  ): Promise<InferBatchResult>;
  getJobResults(jobId: string, opts?: CallOptions): Promise<ResultsBody>;
  inferDirect(
    modelId: string,
    input: { csv: string | Buffer; fileName: string; modelVersionId?: string },
    opts?: CallOptions,
  ): Promise<InferDirectResult>;
  trainModel(input: TrainModelInput, opts?: CallOptions): Promise<TrainModelResult>;
  getModel(modelId: string, opts?: CallOptions): Promise<Model>;
  /** Closes the keep-alive agent the client created (not a dispatcher passed in). */
  close(): Promise<void>;
}
