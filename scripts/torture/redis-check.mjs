// The end-of-run checks of the Redis torture run (issue 11), over the queue's keys read straight
// from Redis and over what the CLI says (`results --format ndjson`, `stats --json`): every
// generated session present exactly once with its own payload, each with exactly one final
// result (scored or dead) computed from its own payload, nothing left due or claimed, and as
// many result recordings as sessions (the lifetime totals tscored + tdead grow by one in the
// very script that records a result, so a session recorded twice would show there).
import { checkResult } from "./check.mjs";
import { canonical, expectations } from "./expected.mjs";

export async function checkRedisRun({ redis, prefix, ids, prepared, fake, stats, listing }) {
  const v = [];
  const violation = (kind, detail) => v.push(`${kind}: ${detail}`);
  const key = (k) => `{${prefix}}:${k}`;
  const [recs, stored, results, prints, names] = await Promise.all(
    ["rec", "x", "r", "fp", "keys"].map((k) => redis.hgetall(key(k))),
  );
  // Payloads as the backend reads them back: compact text, names once per set, print apart.
  const payloads = {};
  const { expandPayload } = fake.libs.lib;
  for (const [id, text] of Object.entries(stored))
    payloads[id] = expandPayload
      ? expandPayload(text, prints[id], (k) => JSON.parse(names[k]))
      : JSON.parse(text);
  const card = {};
  for (const k of ["all", "ready", "wait", "lease", "done"]) card[k] = await redis.zcard(key(k));
  const counts = await redis.hgetall(key("n"));
  const meta = await redis.hgetall(key("meta"));
  const num = (x) => Number(x ?? 0);
  const recordings = { scored: num(meta.tscored), dead: num(meta.tdead) };

  const c = { wrongPayload: 0, bySource: {}, decisions: {} };
  const wanted = new Set(ids);
  const listed = new Map();
  for (const line of listing)
    listed.set(line.sessionId, [...(listed.get(line.sessionId) ?? []), line]);
  let lost = 0;
  let presentOnce = 0;
  let unfinished = 0;
  let withoutResult = 0;
  let wrongFeatures = 0;
  let listingMismatch = 0;
  const status = { s: 0, d: 0 };
  const own = new Map();
  for (const id of ids) {
    const recText = recs[id];
    const lines = listed.get(id) ?? [];
    if (!recText) {
      lost++;
      violation("lost", `${id} is not in the queue`);
      continue;
    }
    if (lines.length === 1) presentOnce++;
    else violation("listing", `${id} is listed ${lines.length} times by results`);
    const rec = JSON.parse(recText);
    const payload = payloads[id];
    if (!payload || canonical(payload.features) !== canonical(prepared.get(id).features)) {
      wrongFeatures++;
      violation("wrong features", `${id} was queued with features that are not its own`);
    }
    if (payload) own.set(id, payload);
    if (rec.s !== "s" && rec.s !== "d") {
      unfinished++;
      violation("unfinished", `${id} is still ${rec.s} after the final drain`);
      continue;
    }
    status[rec.s]++;
    if (!results[id]) {
      withoutResult++;
      violation("no result", `${id} is ${rec.s} without a result`);
      continue;
    }
    const line = lines[0];
    const want = rec.s === "s" ? "scored" : "dead";
    if (
      !line ||
      line.state !== want ||
      canonical(line.result) !== canonical(JSON.parse(results[id]))
    ) {
      listingMismatch++;
      violation(
        "listing",
        `${id}: results shows ${line?.state} ${JSON.stringify(line?.result)?.slice(0, 80)}`,
      );
    }
  }
  const unknown = Object.keys(recs).filter((id) => !wanted.has(id));
  for (const id of unknown) violation("unknown session", `${id} is queued but was never generated`);
  for (const id of listed.keys())
    if (!wanted.has(id)) violation("unknown session", `results lists ${id}`);

  const expected = await expectations(
    fake.libs.lib,
    fake.libs.fake,
    fake.model,
    fake.threshold,
    own,
  );
  for (const [id, text] of Object.entries(results)) {
    if (!own.has(id)) continue;
    const e = { t: JSON.parse(recs[id]).s === "d" ? "dead" : "result", id, batch: "(redis)" };
    checkResult(e, JSON.parse(text), expected.get(id), c, violation);
  }

  const n = ids.length;
  const finals = status.s + status.d;
  const extraRecordings = recordings.scored + recordings.dead - finals;
  const wrong = [];
  const want = (what, got, expect) => {
    if (got !== expect) wrong.push(`${what} ${got} (want ${expect})`);
  };
  want("sessions (rec)", Object.keys(recs).length, n);
  want("payloads (x)", Object.keys(payloads).length, n);
  want("results (r)", Object.keys(results).length, n);
  want("all", card.all, n);
  want("done", card.done, n);
  for (const k of ["ready", "wait", "lease"]) want(k, card[k], 0);
  want("n.scored", num(counts.scored), status.s);
  want("n.dead", num(counts.dead), status.d);
  want("recordings (tscored + tdead)", recordings.scored + recordings.dead, n);
  want("stats.sessions", stats.sessions, n);
  want("stats.scored + dead", stats.scored + stats.dead, n);
  for (const k of ["due", "inFlight", "backoff", "expiredLeases"]) want(`stats.${k}`, stats[k], 0);
  want("stats.totals.scored", stats.totals.scored, status.s);
  want("stats.totals.dead", stats.totals.dead, status.d);
  want("results lines", listing.length, n);
  if (wrong.length > 0) violation("counts", wrong.join("; "));
  return {
    sessions: n,
    presentOnce,
    lost,
    unknown: unknown.length,
    unfinished,
    withoutResult,
    finalResults: finals,
    scored: status.s,
    dead: status.d,
    recordings: recordings.scored + recordings.dead,
    doubleRecorded: Math.max(0, extraRecordings),
    wrongFeatures,
    wrongPayload: c.wrongPayload,
    listingMismatch,
    resultLines: listing.length,
    batches: num(meta.batches),
    retries: num(meta.tretries),
    bySource: c.bySource,
    decisions: c.decisions,
    violations: v,
  };
}
