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
  | Rejected;

/** A record refused, with the one message that names its line and field. */
export type Rejected = { line: number; rejection: string };

/** A record as enqueue's pipeline carries it: prepared inline, or by a worker. */
export type Prepared = PreparedRecord | PreparedText;

/**
 * What a worker sends back (issue 10): the payload serialised, and the fingerprint the replay
 * check reads (issue 13: metadata and the provisional result travel in the text only, read from
 * it if something asks; cloning them between threads cost 2 µs a session).
 */
export interface PreparedText {
  line: number;
  id: string;
  text: string;
  fp?: string;
}

/**
 * The payload of a worker's record: features, meta and provisional read from its text (one
 * JSON.parse) only if something asks, and replaceable (the replay mark sets a new provisional and
 * then serialises the payload again). Written out (JSON.stringify, through toJSON) with its keys
 * in the order the payload was written; `fp` and `replayOf` are plain fields.
 */
export function payloadFromText({ text, fp }: PreparedText): SessionPayload {
  return new TextPayload(text, fp);
}

/**
 * payloadFromText's payload as a class (issue 10): its three read-on-demand fields are accessors
 * of the prototype, where defining them on every payload (three accessors and their closures
 * each) cost enqueue's main thread 3-10 µs a session. Unlike a plain object, Object.keys sees
 * only `fp` and `replayOf`; JSON.stringify and the fields read or set by name behave as a plain
 * payload's do.
 */
class TextPayload implements SessionPayload {
  readonly #text: string;
  #parsed: SessionPayload | undefined;
  #features: SessionPayload["features"] | undefined;
  #meta: SessionPayload["meta"] | undefined;
  #provisional: SessionPayload["provisional"] | undefined;
  declare fp?: string;
  declare replayOf?: string;

  constructor(text: string, fp: string | undefined) {
    this.#text = text;
    if (fp !== undefined) this.fp = fp;
  }

  #read(): SessionPayload {
    this.#parsed ??= JSON.parse(this.#text) as SessionPayload;
    return this.#parsed;
  }

  get features(): SessionPayload["features"] {
    this.#features ??= this.#read().features;
    return this.#features;
  }
  set features(value: SessionPayload["features"]) {
    this.#features = value;
  }
  get meta(): SessionPayload["meta"] {
    this.#meta ??= this.#read().meta;
    return this.#meta;
  }
  set meta(value: SessionPayload["meta"]) {
    this.#meta = value;
  }
  get provisional(): SessionPayload["provisional"] {
    this.#provisional ??= this.#read().provisional;
    return this.#provisional;
  }
  set provisional(value: SessionPayload["provisional"]) {
    this.#provisional = value;
  }

  /** The payload as written: features, meta, provisional, then the own fields (fp, replayOf). */
  toJSON(): SessionPayload {
    const own: object = { ...this }; // own fields only: not the accessors
    return { features: this.features, meta: this.meta, provisional: this.provisional, ...own };
  }
}

export interface PrepareOptions {
  thresholds: Thresholds;
  /** Time of the provisional score, ms since the epoch. */
  now: number;
}

/** A record's payload in parts (payload-text.ts), or the one message that rejects it. */
type PreparedParts = { line: number; id: string; parts: PayloadParts } | Rejected;

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
export function prepareText(rec: RawText, o: PrepareOptions): PreparedText | Rejected {
  const p = prepareParts(rec, o, scratchPlayProof1);
  if (!("parts" in p)) return p;
  const { fp } = p.parts;
  const text = payloadText(p.parts);
  return fp === undefined ? { line: p.line, id: p.id, text } : { line: p.line, id: p.id, text, fp };
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
