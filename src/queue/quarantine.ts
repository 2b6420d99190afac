import { open, readFile } from "node:fs/promises";
import { parsePayload, type SessionPayload } from "./events.js";

/** Lines a reader could not use are moved here, never dropped (design.md, "The queue file"). */
export function quarantinePath(queuePath: string): string {
  return `${queuePath}.quarantine`;
}

export interface QuarantineEntry {
  offset: number;
  line?: number;
  reason: string;
  /** The whole line, however long (issue 8: a truncated copy could not be restored). */
  text: string;
}

/** One line of the quarantine file: an entry, or a note that sessions were restored from it. */
export type QuarantineRecord =
  | (QuarantineEntry & { at: string })
  | { at: string; restored: string[] };

async function appendRecords(queuePath: string, records: object[]) {
  if (records.length === 0) return;
  const text = records.map((r) => `${JSON.stringify(r)}\n`).join("");
  const fh = await open(quarantinePath(queuePath), "a", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function appendQuarantine(queuePath: string, entries: QuarantineEntry[]) {
  const at = new Date().toISOString();
  await appendRecords(
    queuePath,
    entries.map((e) => ({ at, ...e })),
  );
}

export async function markRestored(queuePath: string, ids: string[], at: number) {
  if (ids.length > 0)
    await appendRecords(queuePath, [{ at: new Date(at).toISOString(), restored: ids }]);
}

/** The quarantine file's records in order; none when there is no file. */
export async function readQuarantine(queuePath: string): Promise<QuarantineRecord[]> {
  const text = await readFile(quarantinePath(queuePath), "utf8").catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return "";
      throw err;
    },
  );
  const records: QuarantineRecord[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    try {
      records.push(JSON.parse(line) as QuarantineRecord);
    } catch (err) {
      throw new Error(`${quarantinePath(queuePath)}: line ${i + 1} is not JSON`, { cause: err });
    }
  }
  return records;
}

export type Recovery =
  | { ok: true; id: string; payload: SessionPayload }
  | { ok: false; id?: string; why: string };

const ID_FIELD = /"id":"((?:[^"\\]|\\.){1,512})"/;

/** The session id a damaged journal line names: from its header, or found by pattern. */
function idOf(text: string): string | undefined {
  const cut = text.indexOf(',"x":');
  try {
    const head = JSON.parse(cut < 0 ? text : `${text.slice(0, cut)}}`) as { id?: unknown };
    if (typeof head.id === "string") return head.id;
  } catch {
    // the header itself is damaged: look for the field
  }
  const m = ID_FIELD.exec(cut < 0 ? text : text.slice(0, cut));
  if (!m) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function isSessionPayload(p: unknown): p is SessionPayload {
  if (!isObject(p) || !isObject(p.features) || !isObject(p.meta) || !isObject(p.provisional))
    return false;
  return Object.values(p.features).every((v) => typeof v === "number" && Number.isFinite(v));
}

/**
 * What a quarantined journal line still holds: a session (id and a whole payload of features,
 * meta and provisional result) can be enqueued again; anything less cannot, and says why.
 */
export function recoverSession(text: string): Recovery {
  const id = idOf(text);
  let payload: unknown;
  try {
    payload = parsePayload(text);
  } catch {
    return { ok: false, ...(id ? { id } : {}), why: "no whole payload (torn or damaged line)" };
  }
  if (!id) return { ok: false, why: "no session id in the line" };
  if (isObject(payload) && !isObject(payload.features) && isObject(payload.result))
    return { ok: false, id, why: "a result line: the session is scored again instead" };
  if (!isSessionPayload(payload)) return { ok: false, id, why: "the payload is not a session" };
  const { features, meta, provisional } = payload;
  return { ok: true, id, payload: { features, meta, provisional } };
}
