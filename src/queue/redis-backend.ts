import type { Redis } from "ioredis";
import { CliError, ExitCode } from "../errors.js";
import { decodeFingerprint } from "../scoring/replay-fingerprint.js";
import type { ScoreResult } from "../scoring/result.js";
import type { ArchiveRecord } from "./archive.js";
import type {
  ClaimedSession,
  MaintenanceReport,
  QueueBackend,
  Settlement,
  SettleOutcome,
  StoredSession,
} from "./backend.js";
import type { LastBatch, SessionPayload, SessionStatus, Totals, Watcher } from "./events.js";
import type { SessionRecord } from "./fold.js";
import { LEASE_SLACK_MS, type RemoveFilter } from "./plans.js";
import { compactPayload, expandPayload } from "./redis-payload.js";
import { KEY_NAMES, SCRIPTS, type ScriptName, scriptSource } from "./redis-scripts.js";
import { parseRedisUrl, type RedisTarget } from "./redis-url.js";
import { type QueueSummary, watcherStatuses } from "./summary.js";

export interface RedisBackendOptions {
  url: string;
  /** How messages name the setting the URL came from (`--queue`, PLAYPROOF_QUEUE). */
  settingName: string;
  /** Archive sessions leaving the queue (into `{prefix}:arch`); default true. */
  archive?: boolean;
}

/** Sessions per enqueue script call: one call holds Redis for a few milliseconds. */
const ENQUEUE_CHUNK = 500;
/** Sessions removed per script call by retention (each call atomic; `clear` is one call). */
const RETENTION_CHUNK = 1_000;
/** Ids read per round trip when listing or reading the archive. */
const PAGE = 500;
/** The lease assumed for a claim written without its length (as plans.ts assumes). */
const DEFAULT_TTL_MS = 10 * 60_000;

type Client = Redis & {
  [K in ScriptName]: (...args: (string | number)[]) => Promise<unknown>;
};

interface RawRecord {
  s: "q" | "c" | "s" | "d";
  e: number;
  a: number;
  n: number;
  d?: number;
  err?: string;
  b?: string;
  l?: number;
  o?: string;
  t?: number;
}

const STATUS: Record<RawRecord["s"], SessionStatus> = {
  q: "queued",
  c: "claimed",
  s: "scored",
  d: "dead",
};

function toRecord(id: string, json: string): SessionRecord {
  const r = JSON.parse(json) as RawRecord;
  return {
    id,
    status: STATUS[r.s],
    enqueuedAt: r.e,
    attempts: r.a,
    notBefore: r.n,
    ref: 0,
    ...(r.d === undefined ? {} : { doneAt: r.d }),
    ...(r.err === undefined ? {} : { lastError: r.err }),
    ...(r.s === "c" && r.b !== undefined && r.l !== undefined
      ? {
          claim: {
            batch: r.b,
            lease: r.l,
            owner: r.o ?? "",
            ...(r.t === undefined ? {} : { ttl: r.t }),
          },
        }
      : {}),
  };
}

/**
 * The queue on Redis (issue 11): every step is one Lua script (redis-scripts.ts), so several
 * hosts may enqueue and process at once with the file backend's guarantees. The connection is
 * made on first use; a server that cannot be reached is exit 69 naming host:port, and a
 * connection lost mid-run is retried with backoff by the client (ioredis) while each command
 * fails within its timeout rather than waiting forever.
 */
export function createRedisBackend(o: RedisBackendOptions): QueueBackend {
  const target = parseRedisUrl(o.url, o.settingName);
  const archive = o.archive !== false;
  const keys = KEY_NAMES.map((k) => `{${target.prefix}}:${k}`);
  const key = (name: (typeof KEY_NAMES)[number]) => keys[KEY_NAMES.indexOf(name)]!;
  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;

  function connect(): Promise<Client> {
    connecting ??= (async () => {
      // Loaded here, not at import: a file-queue command never pays ioredis's start-up (issue 13).
      const { Redis } = await import("ioredis");
      const redis = new Redis({
        ...target.options,
        lazyConnect: true,
        // A command waits for one reconnection at most, then fails (the caller retries later).
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
        enableAutoPipelining: true,
        // disconnect() ends the socket and destroys it if no 'close' came within this; on a
        // socket that had closed already (a failed connect) the timer is never cleared and kept
        // every failing command alive for ioredis's default 2 s after its message.
        disconnectTimeout: 100,
        // A script sent but unanswered when the connection dropped may have run: sent again after
        // reconnecting it would run twice (a claim taking a second set of sessions, the first
        // left to its lease; an enqueue reporting its own sessions as duplicates). It fails
        // instead, at once, as "not confirmed" (exit 69), which callers already handle.
        autoResendUnfulfilledCommands: false,
      }) as Client;
      redis.on("close", () => {
        const lost = new Error(
          "Connection is closed (the reply was lost; the command may have run)",
        );
        for (let item = redis.commandQueue.shift(); item; item = redis.commandQueue.shift())
          item.command.reject(lost);
      });
      redis.on("error", () => undefined); // reported by the command that fails, not as a crash
      for (const name of Object.keys(SCRIPTS) as ScriptName[])
        redis.defineCommand(name, { numberOfKeys: keys.length, lua: scriptSource(name) });
      // connect() only rejects with "Connection is closed."; the cause (ECONNREFUSED, WRONGPASS,
      // a certificate refused) comes as an 'error' event first.
      let cause: Error | undefined;
      const onError = (err: Error) => {
        cause ??= err;
      };
      redis.on("error", onError);
      try {
        await redis.connect();
      } catch (err) {
        redis.disconnect();
        throw cause ?? err;
      } finally {
        redis.off("error", onError);
      }
      client = redis;
      return redis;
    })().catch((err: unknown) => {
      connecting = undefined;
      throw unavailable(target, err);
    });
    return connecting;
  }

  async function run<T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await connect();
    try {
      return await fn(c);
    } catch (err) {
      throw failure(target, what, err);
    }
  }

  const script = (c: Client, name: ScriptName, ...args: (string | number)[]) =>
    c[name](...keys, ...args);

  // Feature names by id (redis-payload.ts): registered once per set, read once per process.
  const names = new Map<string, string[]>();
  async function register(c: Client, id: string, json: string): Promise<void> {
    if (names.has(id)) return;
    await c.hsetnx(key("keys"), id, json);
    names.set(id, JSON.parse(json) as string[]);
  }
  async function namesFor(texts: (string | null | undefined)[]): Promise<void> {
    const missing = new Set<string>();
    for (const t of texts) {
      const id = t && /^\{"k":"([0-9a-f]{16})"/.exec(t)?.[1];
      if (id && !names.has(id)) missing.add(id);
    }
    if (missing.size === 0) return;
    const ids = [...missing];
    const got = await run("read feature names", (c) => c.hmget(key("keys"), ...ids));
    ids.forEach((id, i) => {
      if (got[i]) names.set(id, JSON.parse(got[i]!) as string[]);
    });
  }
  const nameList = (id: string) => {
    const list = names.get(id);
    if (!list) throw new Error(`feature names ${id} missing from ${key("keys")}`);
    return list;
  };
  async function expandAll(
    rows: { x: string | null | undefined; fp: string | null | undefined }[],
  ): Promise<(SessionPayload | undefined)[]> {
    await namesFor(rows.map((r) => r.x));
    return rows.map((r) => (r.x ? expandPayload(r.x, r.fp, nameList) : undefined));
  }

  async function findMany(ids: readonly string[]): Promise<Map<string, StoredSession>> {
    const out = new Map<string, StoredSession>();
    for (let i = 0; i < ids.length; i += PAGE) {
      const page = ids.slice(i, i + PAGE);
      const rows = (await run("read sessions", (c) => script(c, "ppFind", ...page))) as (
        | string
        | null
      )[];
      const payloads = await expandAll(
        page.map((_, j) => ({ x: rows[4 * j + 1], fp: rows[4 * j + 3] })),
      );
      page.forEach((id, j) => {
        const found = foundOf(id, rows[4 * j], payloads[j], rows[4 * j + 2]);
        if (found) out.set(id, found);
      });
    }
    return out;
  }

  const claimed = async (rows: (string | null)[]): Promise<ClaimedSession[]> => {
    const at: number[] = [];
    for (let i = 0; i < rows.length; i += 4) at.push(i);
    const payloads = await expandAll(at.map((i) => ({ x: rows[i + 2], fp: rows[i + 3] })));
    return at.map((i, j) => ({ rec: toRecord(rows[i]!, rows[i + 1]!), payload: payloads[j]! }));
  };

  const removeArgs = (f: RemoveFilter, now: number) => [
    f.processedOnly ? "processed" : "all",
    f.olderThanMs === undefined ? "" : String(now - f.olderThanMs),
  ];

  const backend: QueueBackend = {
    kind: "redis",
    path: target.shown,
    async enqueue(items, at) {
      const accepted: string[] = [];
      const duplicates: string[] = [];
      for (let i = 0; i < items.length; i += ENQUEUE_CHUNK) {
        const args: string[] = [String(at)];
        const sets = new Map<string, string>();
        for (const item of items.slice(i, i + ENQUEUE_CHUNK)) {
          const compact = compactPayload(item.payload, item.text);
          sets.set(compact.namesId, compact.names);
          args.push(item.id, compact.text, item.payload.fp ?? "");
        }
        const [acc, dup] = (await run("enqueue", async (c) => {
          for (const [id, json] of sets) await register(c, id, json);
          return script(c, "ppEnqueue", ...args);
        })) as [string[], string[]];
        accepted.push(...acc);
        duplicates.push(...dup);
      }
      return { accepted, duplicates };
    },
    async import(sessions, now) {
      const accepted: string[] = [];
      const duplicates: string[] = [];
      for (let i = 0; i < sessions.length; i += ENQUEUE_CHUNK) {
        const args: string[] = [String(now)];
        const sets = new Map<string, string>();
        for (const { rec, payload, result } of sessions.slice(i, i + ENQUEUE_CHUNK)) {
          const done = rec.status === "scored" || rec.status === "dead";
          const raw: RawRecord = {
            s: done ? (rec.status === "scored" ? "s" : "d") : "q",
            e: rec.enqueuedAt,
            a: rec.attempts,
            n: rec.notBefore,
            ...(done ? { d: rec.doneAt ?? now } : {}),
            ...(rec.lastError === undefined ? {} : { err: rec.lastError }),
          };
          const { result: _r, ...session } = payload as SessionPayload & { result?: unknown };
          const compact = compactPayload(session);
          sets.set(compact.namesId, compact.names);
          args.push(
            rec.id,
            JSON.stringify(raw),
            compact.text,
            done && result ? JSON.stringify(result) : "",
            payload.fp ?? "",
          );
        }
        const [acc, dup] = (await run("import sessions", async (c) => {
          for (const [id, json] of sets) await register(c, id, json);
          return script(c, "ppImport", ...args);
        })) as [string[], string[]];
        accepted.push(...acc);
        duplicates.push(...dup);
      }
      return { accepted, duplicates };
    },
    async claim(c) {
      const rows = (await run("claim a batch", (r) =>
        script(
          r,
          "ppClaim",
          c.now,
          c.max,
          c.now + c.leaseMs,
          c.owner,
          c.batch,
          c.leaseMs,
          LEASE_SLACK_MS,
          DEFAULT_TTL_MS,
        ),
      )) as string[];
      return claimed(rows);
    },
    async renew(batch, ids, now, leaseMs) {
      if (ids.length === 0) return 0;
      return (await run("renew a lease", (c) =>
        script(c, "ppRenew", batch, now, now + leaseMs, ...ids),
      )) as number;
    },
    async settle(s: Settlement): Promise<SettleOutcome> {
      const args: (string | number)[] = [
        s.batch,
        s.now,
        JSON.stringify({ at: s.now, ...s.record }),
      ];
      const results = s.results ?? [];
      args.push(results.length);
      for (const r of results) args.push(r.id, JSON.stringify(r.result), r.dead ?? "");
      const retries = s.retries ?? [];
      args.push(retries.length);
      for (const r of retries) args.push(r.notBefore, r.reason, r.ids.length, ...r.ids);
      args.push(s.release?.reason ?? "", s.release?.ids.length ?? 0, ...(s.release?.ids ?? []));
      const [recorded, lost, retried, released] = (await run("record a batch", (c) =>
        script(c, "ppSettle", ...args),
      )) as string[][];
      return {
        recorded: recorded!,
        lost: lost!,
        retried: retried!,
        released: released!,
      };
    },
    async boundLeases(now) {
      return (await run("bound leases", (c) =>
        script(c, "ppBound", now, LEASE_SLACK_MS, DEFAULT_TTL_MS),
      )) as number;
    },
    async heartbeat(e) {
      const { t: _t, at, stopped, ...watcher } = e;
      const text = stopped ? "" : JSON.stringify({ ...watcher, lastCheck: at });
      await run("write a heartbeat", (c) => script(c, "ppHeartbeat", e.id, text));
    },
    async summary(now) {
      const raw = (await run("read the queue's counts", (c) => script(c, "ppSummary", now))) as (
        | number
        | string
        | string[]
      )[];
      return summaryOf(raw, now);
    },
    async find(id) {
      return (await findMany([id])).get(id);
    },
    findMany,
    async *sessions(keep) {
      let after: { score: number; skip: number } = { score: Number.NEGATIVE_INFINITY, skip: 0 };
      for (;;) {
        const page = (await run("list sessions", (c) =>
          c.zrange(
            key("all"),
            after.score === Number.NEGATIVE_INFINITY ? "-inf" : String(after.score),
            "+inf",
            "BYSCORE",
            "LIMIT",
            after.skip,
            PAGE,
            "WITHSCORES",
          ),
        )) as string[];
        if (page.length === 0) return;
        const ids: string[] = [];
        for (let i = 0; i < page.length; i += 2) {
          const score = Number(page[i + 1]);
          after = score === after.score ? { score, skip: after.skip + 1 } : { score, skip: 1 };
          ids.push(page[i]!);
        }
        const found = await findMany(ids);
        for (const id of ids) {
          const hit = found.get(id);
          if (hit && (!keep || keep(hit.rec))) yield hit;
        }
        if (page.length < 2 * PAGE) return;
      }
    },
    async due(now, max) {
      const cap = Math.min(max, 1_000_000_000);
      return claimed(
        (await run("read due sessions", (c) => script(c, "ppDue", now, cap))) as string[],
      );
    },
    async *readArchive() {
      for (let start = 0; ; start += PAGE) {
        const ids = (await run("read the archive", (c) =>
          c.zrange(key("archt"), String(start), String(start + PAGE - 1)),
        )) as string[];
        if (ids.length === 0) return;
        const texts = await run("read the archive", (c) => c.hmget(key("arch"), ...ids));
        for (let i = 0; i < ids.length; i++) {
          const text = texts[i];
          // A field is `id "\n" n` (an older one: the id alone).
          if (text) yield archiveRecordOf(ids[i]!.split("\n")[0]!, text);
        }
        if (ids.length < PAGE) return;
      }
    },
    async fingerprints() {
      const out: [string, Int8Array][] = [];
      let cursor = "0";
      do {
        const [next, flat] = await run("read fingerprints", (c) =>
          c.hscan(key("fp"), cursor, "COUNT", "1000"),
        );
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) {
          const fp = decodeFingerprint(flat[i + 1]!);
          if (fp) out.push([flat[i]!, fp]);
        }
      } while (cursor !== "0");
      return out;
    },
    async countRemovable(f, now) {
      return (await run("count sessions", (c) =>
        script(c, "ppCountRemovable", now, ...removeArgs(f, now)),
      )) as number;
    },
    async remove(f, now, retentionMs) {
      const [removed, archived, remaining] = (await run("clear", (c) =>
        script(
          c,
          "ppRemove",
          now,
          ...removeArgs(f, now),
          String(now - retentionMs),
          archive ? "1" : "0",
          0,
        ),
      )) as number[];
      return { removed: removed!, archived: archived!, remaining: remaining! };
    },
    async maintain(now, retentionMs): Promise<MaintenanceReport | undefined> {
      let removed = 0;
      let archived = 0;
      let left = 0;
      for (;;) {
        const [r, a, l] = (await run("apply retention", (c) =>
          script(
            c,
            "ppRemove",
            now,
            "none",
            "",
            String(now - retentionMs),
            archive ? "1" : "0",
            RETENTION_CHUNK,
          ),
        )) as number[];
        removed += r!;
        archived += a!;
        left = l!;
        if (r! < RETENTION_CHUNK) break;
      }
      if (removed === 0) return undefined;
      return {
        bytesBefore: 0,
        bytesAfter: 0,
        kept: left,
        expired: removed,
        quarantined: 0,
        removed,
        archived,
        sessionsAfter: left,
      };
    },
    async bytes() {
      return run("measure memory", async (c) => {
        const sizes = await Promise.all(keys.map((k) => c.memory("USAGE", k)));
        return sizes.reduce<number>((sum, n) => sum + (Number(n) || 0), 0);
      });
    },
    warnings: () => run("read persistence settings", (c) => persistenceWarnings(c, target)),
    async close() {
      connecting = undefined;
      const c = client;
      client = undefined;
      if (c) await c.quit().catch(() => c.disconnect());
    },
  };
  return backend;
}

function foundOf(
  id: string,
  rec: string | null | undefined,
  payload: SessionPayload | undefined,
  result: string | null | undefined,
): StoredSession | undefined {
  if (!rec || !payload) return undefined;
  const r = toRecord(id, rec);
  const done = r.status === "scored" || r.status === "dead";
  return {
    rec: r,
    payload,
    ...(done && result ? { result: JSON.parse(result) as ScoreResult } : {}),
  };
}

function archiveRecordOf(id: string, text: string): ArchiveRecord {
  const [rec, payload, result, at] = text.split("\n");
  const r = toRecord(id, rec!);
  // Only its metadata and provisional result are archived: no feature names needed.
  const p = expandPayload(payload!, undefined, () => []);
  return {
    sessionId: id,
    status: r.status,
    enqueuedAt: r.enqueuedAt,
    ...(r.doneAt === undefined ? {} : { doneAt: r.doneAt }),
    attempts: r.attempts,
    ...(r.lastError === undefined ? {} : { lastError: r.lastError }),
    meta: p.meta,
    provisional: p.provisional,
    ...(result ? { result: JSON.parse(result) as ScoreResult } : {}),
    archivedAt: Number(at),
  };
}

function summaryOf(raw: (number | string | string[])[], now: number): QueueSummary {
  const [sessions, ready, waiting, leased, expired, scored, dead, retrying, oldest] =
    raw as number[];
  const meta = pairs(raw[9] as string[]);
  const due = ready! + expired!;
  const totals: Totals = {
    batches: Number(meta.get("batches") ?? 0),
    scored: Number(meta.get("tscored") ?? 0),
    retries: Number(meta.get("tretries") ?? 0),
    dead: Number(meta.get("tdead") ?? 0),
  };
  const failures = prefixed(meta, "f:");
  if (failures) totals.failures = failures;
  const retriedCalls = prefixed(meta, "rc:");
  if (retriedCalls) totals.retriedCalls = retriedCalls;
  const lastOf = (f: string) => {
    const text = meta.get(f);
    return text ? (JSON.parse(text) as LastBatch & { at: number }) : undefined;
  };
  const watchers = watcherStatuses(
    [...pairs(raw[10] as string[]).values()].map((text) => JSON.parse(text) as Watcher),
    now,
  );
  return {
    sessions: sessions!,
    due,
    backoff: waiting!,
    inFlight: leased! - expired!,
    expiredLeases: expired!,
    scored: scored!,
    dead: dead!,
    retrying: retrying!,
    oldestDueAgeMs:
      due > 0 && String(oldest) !== "" ? Math.max(0, now - Number(oldest)) : undefined,
    lastBatch: lastOf("lastBatch"),
    lastSuccess: lastOf("lastSuccess"),
    totals,
    corruptLines: 0,
    watchers,
  };
}

function pairs(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, flat[i + 1]!);
  return m;
}

function prefixed(m: Map<string, string>, p: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [k, v] of m) if (k.startsWith(p)) out[k.slice(p.length)] = Number(v);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * What `stats -v` says about durability (issue 11): a server that persists nothing loses the
 * queue on restart; `appendfsync everysec` can lose the last second of writes on a crash of the
 * host. Managed services often disable CONFIG: then INFO persistence tells what it can.
 */
async function persistenceWarnings(c: Redis, target: RedisTarget): Promise<string[]> {
  const at = `Redis at ${target.address}`;
  let aof: string | undefined;
  let fsync: string | undefined;
  let save: string | undefined;
  try {
    const got = (await c.config("GET", "appendonly")) as string[];
    aof = got[1];
    fsync = ((await c.config("GET", "appendfsync")) as string[])[1];
    save = ((await c.config("GET", "save")) as string[])[1];
  } catch {
    const info = await c.info("persistence");
    const m = /aof_enabled:(\d)/.exec(info);
    if (!m) return [`${at}: could not read its persistence settings (CONFIG and INFO refused)`];
    aof = m[1] === "1" ? "yes" : "no";
  }
  if (aof === "yes") {
    return fsync === "always"
      ? []
      : [
          `${at}: appendonly yes with appendfsync ${fsync ?? "(unknown: CONFIG is disabled)"}: a crash of its host can lose up to the last second of queue writes (appendfsync always loses none)`,
        ];
  }
  if (save === undefined)
    return [
      `${at}: appendonly no, and its save points cannot be read (CONFIG is disabled): a restart may lose queued sessions; the no-loss guarantee needs appendonly yes`,
    ];
  return [
    save === ""
      ? `${at} persists nothing (appendonly no, no save points): a restart loses the whole queue; set appendonly yes`
      : `${at}: appendonly no (snapshots only: "${save}"): a restart loses what was written since the last snapshot; set appendonly yes`,
  ];
}

const NETWORK =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Command timed out|max retries|Stream isn't writeable|connect/i;

function unavailable(target: RedisTarget, err: unknown): CliError {
  const message = (err as Error).message ?? String(err);
  if (/NOAUTH|WRONGPASS|NOPERM/.test(message))
    return new CliError(
      `Redis at ${target.address} refused the credentials in the queue URL (${target.shown}): ${firstLine(message)}`,
      ExitCode.refused,
      { cause: err },
    );
  return new CliError(
    `Redis at ${target.address} is unreachable: ${firstLine(message)} (nothing was changed; try again when it is up)`,
    ExitCode.unavailable,
    { cause: err },
  );
}

function failure(target: RedisTarget, what: string, err: unknown): CliError {
  if (err instanceof CliError) return err;
  const message = (err as Error).message ?? String(err);
  // A ReplyError is the server's answer, never a network fault (by name: ioredis loads lazily).
  if ((err as Error).name !== "ReplyError" && NETWORK.test(message)) {
    return new CliError(
      `Redis at ${target.address} did not answer (${what}): ${firstLine(message)}; what was not confirmed is retried: a claimed batch's lease runs out and its sessions are due again`,
      ExitCode.unavailable,
      { cause: err },
    );
  }
  if (/NOAUTH|WRONGPASS|NOPERM/.test(message)) return unavailable(target, err);
  // A refusal by the server (out of memory, read-only replica, ...): nothing was half-written.
  return new CliError(
    `Redis at ${target.address} refused to ${what}: ${firstLine(message)}`,
    ExitCode.unavailable,
    { cause: err },
  );
}

const firstLine = (s: string) => s.split("\n")[0]!;
