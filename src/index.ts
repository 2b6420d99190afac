/**
 * The library (issue 12): the queue the CLI works on, in-process, with the CLI's validation,
 * limits and guarantees. Importing it runs nothing; the CLI lives in entry.ts.
 */
export {
  closeQueues,
  getSessionResult,
  type QueueRef,
  scoreSession,
} from "./api/default-queue.js";
export type { EnqueueInput } from "./api/enqueue-input.js";
export {
  ConfigError,
  InputRejectedError,
  InternalError,
  InterruptedError,
  IoError,
  PlayProofError,
  RefusedError,
  toPlayProofError,
  UnavailableError,
  UnknownSessionError,
  UsageError,
} from "./api/errors.js";
export {
  type ClearOptions,
  type ClearResult,
  type EnqueueOptions,
  type EnqueueReport,
  type OpenQueueOptions,
  openQueue,
  type ProcessOptions,
  type ProcessSummary,
  type Queue,
  type ResultsQuery,
  type SessionResult,
  type StatsResult,
} from "./api/queue.js";
export type { ScoreSessionOptions, ScoreSessionResult } from "./api/score-session.js";
export { ERROR_CODES, type ErrorCode, ExitCode } from "./errors.js";
export type { Decision, ResultSource, ScoreResult } from "./scoring/result.js";
export { LIMITS } from "./telemetry/schema.js";
