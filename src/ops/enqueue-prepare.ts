import type { SessionPayload } from "../queue/events.js";
import { heuristicResult } from "../scoring/heuristics.js";
import { encodeFingerprint, fingerprint } from "../scoring/replay-fingerprint.js";
import type { Thresholds } from "../scoring/result.js";
import { extractFeatures, FEATURE_COLUMNS } from "../telemetry/features.js";
import { inTimeOrder } from "../telemetry/features-path.js";
import { playProof1Into } from "../telemetry/features-playproof1.js";
import { formatRejection, parseRecordText, type RawText } from "../telemetry/read-records.js";
import { parseSession, sessionIdHint } from "../telemetry/schema.js";
import { lazyPayload, type PayloadParts, payloadText } from "./payload-text.js";

/** One input record made ready to queue, or the one message that rejects it. */
export type PreparedRecord =
  | { line: number; id: string; payload: SessionPayload; text?: string }
  | { line: number; rejection: string };

/** A record as enqueue's pipeline carries it: prepared inline, or by a worker. */
export type Prepared = PreparedRecord | PreparedText;

/**
 * What a worker sends back (issue 10): the payload serialised, and only the parts the main
 * thread reads (features stay in the text: copying them between threads cost as much as
 * serialising them).
 */
export interface PreparedText {
  line: number;
  id: string;
  text: string;
  light: Omit<SessionPayload, "features">;
}

/**
 * The payload of a worker's record, features read from its text only if something asks (the
 * replay mark re-serialises a payload it changes). Keys in the order the payload was written.
 */
export function payloadFromText({ text, light }: PreparedText): SessionPayload {
  const payload = {} as SessionPayload;
  let features: SessionPayload["features"] | undefined;
  Object.defineProperty(payload, "features", {
    enumerable: true,
    configurable: true,
    get: () => {
      features ??= (JSON.parse(text) as SessionPayload).features;
      return features;
    },
    set: (value: SessionPayload["features"]) => {
      features = value;
    },
  });
  return Object.assign(payload, light);
}

export interface PrepareOptions {
  thresholds: Thresholds;
  /** Time of the provisional score, ms since the epoch. */
  now: number;
}

/** A record's payload in parts (payload-text.ts), or the one message that rejects it. */
type PreparedParts =
  | { line: number; id: string; parts: PayloadParts }
  | { line: number; rejection: string };

/** JSON.parse, validate, extract features and score provisionally: the CPU work of enqueue. */
export function prepareRecord(rec: RawText, o: PrepareOptions): PreparedRecord {
  const p = prepareParts(rec, o, new Float64Array(FEATURE_COLUMNS.length));
  if (!("parts" in p)) return p;
  // Issue 10: the text written from the parts; the merged features made only if read.
  return { line: p.line, id: p.id, payload: lazyPayload(p.parts), text: payloadText(p.parts) };
}

const scratchPlayProof1 = new Float64Array(FEATURE_COLUMNS.length);

/**
 * prepareRecord as a worker sends it back (issue 13): the payload's text and the fields the main
 * thread reads, with no payload object in between and playproof-1's values in a reused buffer
 * (the text is written before the next record is prepared).
 */
export function prepareText(rec: RawText, o: PrepareOptions): PreparedText | PreparedRecord {
  const p = prepareParts(rec, o, scratchPlayProof1);
  if (!("parts" in p)) return p;
  const { meta, provisional, fp } = p.parts;
  return {
    line: p.line,
    id: p.id,
    text: payloadText(p.parts),
    light: fp === undefined ? { meta, provisional } : { meta, provisional, fp },
  };
}

function prepareParts(rec: RawText, o: PrepareOptions, playProof1: Float64Array): PreparedParts {
  if ("error" in rec) return { line: rec.line, rejection: formatRejection(rec.line, rec.error) };
  const json = parseRecordText(rec.text);
  if ("error" in json) return { line: rec.line, rejection: formatRejection(rec.line, json.error) };
  // Only x, y and timestamp of the movements are read here: no copies (issue 10).
  const parsed = parseSession(json.value, { copyMovements: false });
  if (!parsed.ok) {
    return {
      line: rec.line,
      rejection: formatRejection(rec.line, parsed.error, sessionIdHint(json.value)),
    };
  }
  const { session } = parsed;
  const ours = extractFeatures(session);
  // Issue 13: PlayProof's own definitions where they differ, for models trained on them.
  playProof1Into(session, playProof1);
  // Issue 13, part 3: the trajectory's fingerprint, kept with the payload for replay checks.
  const fp = fingerprint(inTimeOrder(session.movements));
  const parts: PayloadParts = {
    ours,
    playProof1,
    meta: {
      ...(session.userId === undefined ? {} : { userId: session.userId }),
      ...(session.deploymentId === undefined ? {} : { deploymentId: session.deploymentId }),
      gameType: session.gameType,
      deviceType: session.deviceType,
    },
    provisional: heuristicResult(ours, { thresholds: o.thresholds, now: new Date(o.now) }),
    ...(fp ? { fp: encodeFingerprint(fp) } : {}),
  };
  return { line: rec.line, id: session.sessionId, parts };
}
