/**
 * One batch through Woodwide, as `process` uses it. Dataset mode is the seed's flow (one
 * persistent dataset, a new version per batch, wait for ingest, infer-batch, poll, fetch
 * results); direct mode posts the file to /infer. Either way the answer is validated by id.
 */
import { ServiceError } from "../errors.js";
import { parseResults, parseResultsValue, type ResultRow } from "./parse-results.js";
import { DEFAULT_POLL, type PollOptions, waitForJob, waitForResults } from "./poll.js";
import { type RetriedCall, retryLogEvent } from "./retrying.js";
import type { CallOptions, UploadDatasetResult, WoodwideClient } from "./types.js";
import { scoreDirection, validateRowIds } from "./validate-rows.js";

export interface DatasetRef {
  getId(): string | undefined;
  saveId(id: string): void | Promise<void>;
  /** dataset_name used when the persistent dataset is first created. */
  name: string;
}

export interface InferOptions {
  client: WoodwideClient;
  modelId: string;
  modelVersionId?: string | undefined;
  mode: "dataset" | "direct";
  csv: string;
  rowCount: number;
  dataset: DatasetRef;
  signal?: AbortSignal | undefined;
  sleep?: PollOptions["sleep"];
  now?: (() => number) | undefined;
  poll?: Omit<PollOptions, "signal" | "sleep" | "now"> | undefined;
  log?: ((event: Record<string, unknown>) => void) | undefined;
  /** Told of each in-place retry of a call (issue 14); each is also logged. */
  onRetry?: ((r: RetriedCall) => void) | undefined;
  /**
   * Epoch ms (wall clock, as the client's retries use) past which no in-place retry waits.
   * Default: now + the job timeout (poll.maxWaitMs).
   */
  deadline?: number | undefined;
}

export interface InferResult {
  /** In id order: rows[i] answers CSV row i. */
  rows: ResultRow[];
  jobId: string;
  /** Wall time from first request to parsed answer, measured here. */
  latencyMs: number;
  creditsConsumed?: number;
  modelVersionId?: string;
}

interface RawAnswer {
  /** Deferred so a rejected answer is logged with its job id. */
  parse: () => ReturnType<typeof parseResults>;
  jobId: string;
  credits: (number | undefined)[];
  modelVersionId: string | undefined;
  serverLatencyMs?: number | undefined;
}

export async function inferWithWoodwide(opts: InferOptions): Promise<InferResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const call = callOptions(opts);
  const raw = opts.mode === "direct" ? await viaDirect(opts, call) : await viaDataset(opts, call);
  let rows: ResultRow[];
  try {
    rows = validateRowIds(rowsOf(raw.parse()), opts.rowCount);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    opts.log?.({ event: "woodwide.answer_rejected", job_id: raw.jobId, reason });
    throw err;
  }
  const latencyMs = now() - started;
  const known = raw.credits.filter((c): c is number => c !== undefined);
  const creditsConsumed = known.length ? known.reduce((a, b) => a + b, 0) : undefined;
  opts.log?.({
    event: "woodwide.inferred",
    mode: opts.mode,
    job_id: raw.jobId,
    latency_ms: latencyMs,
    server_latency_ms: raw.serverLatencyMs,
    credits_consumed: creditsConsumed,
    model_id: opts.modelId,
    model_version_id: raw.modelVersionId,
    rows: rows.length,
    flagged: rows.filter((r) => r.isAnomaly).length,
    // woodwide-api.md: the score's direction is unconfirmed; false here deserves a look.
    flagged_score_higher: scoreDirection(rows).flaggedScoreHigher,
  });
  return {
    rows,
    jobId: raw.jobId,
    latencyMs,
    ...(creditsConsumed === undefined ? {} : { creditsConsumed }),
    ...(raw.modelVersionId ? { modelVersionId: raw.modelVersionId } : {}),
  };
}

/** What every call of one inference passes: the signal, the deadline, the retry hook. */
function callOptions(o: InferOptions): CallOptions {
  const deadline = o.deadline ?? Date.now() + (o.poll?.maxWaitMs ?? DEFAULT_POLL.maxWaitMs);
  const onRetry = (r: RetriedCall) => {
    o.log?.(retryLogEvent(r));
    o.onRetry?.(r);
  };
  return { signal: o.signal, deadline, onRetry };
}

function pollOptions(o: InferOptions, call: CallOptions, rows?: number): PollOptions {
  const { signal: _s, ...rest } = call;
  return {
    ...o.poll,
    signal: o.signal,
    sleep: o.sleep,
    now: o.now,
    call: { ...rest, ...(rows === undefined ? {} : { rows }) },
  };
}

async function viaDataset(o: InferOptions, call: CallOptions): Promise<RawAnswer> {
  const poll = pollOptions(o, call);
  const upload = await uploadVersion(o, call);
  o.log?.({
    event: "woodwide.uploaded",
    dataset_id: upload.datasetId,
    version_id: upload.versionId,
    version_number: upload.versionNumber,
    job_id: upload.jobId,
  });
  const ingest = await waitForJob(o.client, upload.jobId, poll);
  const started = await o.client.inferBatch(
    o.modelId,
    {
      datasetVersionId: upload.versionId,
      ...(o.modelVersionId ? { modelVersionId: o.modelVersionId } : {}),
    },
    call,
  );
  const job = await waitForJob(o.client, started.jobId, poll);
  const body = await waitForResults(o.client, started.jobId, pollOptions(o, call, o.rowCount));
  return {
    parse: () => parseResults(body.text, body.contentType),
    jobId: started.jobId,
    credits: [ingest.creditsConsumed, job.creditsConsumed],
    modelVersionId: o.modelVersionId ?? started.model?.versionId,
  };
}

/** A new version of the one persistent dataset; created (and its id saved) on first use. */
async function uploadVersion(o: InferOptions, call: CallOptions): Promise<UploadDatasetResult> {
  const fileName = `${o.dataset.name}.csv`;
  const existing = o.dataset.getId();
  if (existing) {
    try {
      return await o.client.uploadDataset({ csv: o.csv, fileName, datasetId: existing }, call);
    } catch (err) {
      // Deleted on Woodwide's side: start a new dataset rather than fail every batch forever.
      if (!(err instanceof ServiceError && err.kind === "not-found")) throw err;
      o.log?.({ event: "woodwide.dataset_missing", dataset_id: existing });
    }
  }
  const created = await o.client.uploadDataset(
    { csv: o.csv, fileName, datasetName: o.dataset.name },
    call,
  );
  await o.dataset.saveId(created.datasetId);
  return created;
}

async function viaDirect(o: InferOptions, call: CallOptions): Promise<RawAnswer> {
  const res = await o.client.inferDirect(
    o.modelId,
    {
      csv: o.csv,
      fileName: `${o.dataset.name}.csv`,
      ...(o.modelVersionId ? { modelVersionId: o.modelVersionId } : {}),
    },
    { ...call, rows: o.rowCount },
  );
  let parse: RawAnswer["parse"] = () => parseResultsValue(res.data);
  let credits = res.creditsConsumed;
  if (res.data === undefined || res.data === null) {
    // Documented as synchronous, but an answer without `data` is handled like a batch job.
    const job = await waitForJob(o.client, res.jobId, pollOptions(o, call));
    const body = await waitForResults(o.client, res.jobId, pollOptions(o, call, o.rowCount));
    parse = () => parseResults(body.text, body.contentType);
    credits = job.creditsConsumed;
  }
  return {
    parse,
    jobId: res.jobId,
    credits: [credits],
    modelVersionId: o.modelVersionId ?? res.modelVersionId,
    serverLatencyMs: res.latencyMs,
  };
}

function rowsOf(parsed: ReturnType<typeof parseResults>): ResultRow[] {
  if ("rows" in parsed) return parsed.rows;
  // getJobResults follows signed URLs; a second hop would be a loop, not an answer.
  throw new ServiceError("Woodwide results pointed to another signed URL", {
    kind: "malformed",
    retryable: true,
  });
}
