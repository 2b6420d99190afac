import { createHash } from "node:crypto";
import type { SessionPayload } from "./events.js";

/**
 * The payload as the Redis queue keeps it (issue 11: memory per queued session). Feature names
 * are the same for every session of a feature set, so they are stored once per set (under a
 * hash of the names, in `{prefix}:keys`) and each session keeps only the values, as the JSON
 * number tokens the enqueuer wrote (exact: never re-encoded). The replay fingerprint lives in
 * `{prefix}:fp` alone. About 1 KB less per session than the journal's payload line.
 *
 *   {"k":"<names id>","f":[548,30,...],"meta":{...},"provisional":{...}[,"replayOf":"..."]}
 */
export interface CompactPayload {
  /** The compact JSON to store. */
  text: string;
  /** The names' id and the names, as a JSON array: registered once per set. */
  namesId: string;
  names: string;
}

const FEATURES_HEAD = '{"features":{';
const FP_FIELD = /,"fp":"[A-Za-z0-9+/=]*"/;

const ids = new Map<string, string>();

/** A stable id for a list of names (the first 16 hex digits of its SHA-256). */
function namesIdOf(namesJson: string): string {
  let id = ids.get(namesJson);
  if (!id) {
    id = createHash("sha256").update(namesJson).digest("hex").slice(0, 16);
    ids.set(namesJson, id);
  }
  return id;
}

/**
 * From the enqueuer's JSON text (features first, as payloads are serialised): string work
 * only, no parse. Falls back to the object when the text is not in that shape.
 */
export function compactPayload(payload: SessionPayload, text?: string): CompactPayload {
  if (text?.startsWith(FEATURES_HEAD)) {
    const end = text.indexOf("}", FEATURES_HEAD.length);
    const body = text.slice(FEATURES_HEAD.length, end);
    // Names are plain identifiers and values numbers: neither holds a quote or a comma.
    if (end > 0 && !body.includes("{") && !body.includes("\\")) {
      const names: string[] = [];
      const values: string[] = [];
      for (const part of body === "" ? [] : body.split(",")) {
        const cut = part.indexOf('":');
        names.push(part.slice(1, cut));
        values.push(part.slice(cut + 2));
      }
      const namesJson = JSON.stringify(names);
      const namesId = namesIdOf(namesJson);
      const rest = text.slice(end + 1).replace(FP_FIELD, "");
      return {
        text: `{"k":"${namesId}","f":[${values.join(",")}]${rest}`,
        namesId,
        names: namesJson,
      };
    }
  }
  const { features, fp: _fp, ...rest } = payload;
  const namesJson = JSON.stringify(Object.keys(features));
  const namesId = namesIdOf(namesJson);
  const compact = { k: namesId, f: Object.values(features), ...rest };
  return { text: JSON.stringify(compact), namesId, names: namesJson };
}

/** Back to the payload: `names` looks the set's names up by id; `fp` as `{prefix}:fp` holds it. */
export function expandPayload(
  text: string,
  fp: string | null | undefined,
  names: (id: string) => string[],
): SessionPayload {
  const { k, f, ...rest } = JSON.parse(text) as { k: string; f: number[] } & Omit<
    SessionPayload,
    "features"
  >;
  const keys = names(k);
  const features: Record<string, number> = {};
  for (let i = 0; i < keys.length; i++) features[keys[i]!] = f[i]!;
  return { features, ...rest, ...(fp ? { fp } : {}) };
}
