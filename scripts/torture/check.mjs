// The end-of-run checks over every journal generation (issue 8, "A torture harness"): each
// session enqueued once and present once, at most one final result event, every result computed
// from the session's own features, the journal and quarantine clean, stats consistent.
import { canonical, comparable, expectations } from "./expected.mjs";

export async function checkRun(lib, { ids, prepared, fake, generations, stats, quarantine }) {
  const { parsePayload, emptyState } = lib;
  const v = []; // violations, one line each
  const violation = (kind, detail) => v.push(`${kind}: ${detail}`);
  const enqueues = new Map();
  const finals = new Map();
  const c = {
    corruptLines: 0,
    tornTails: 0,
    batches: 0,
    wrongFeatures: 0,
    wrongPayload: 0,
    snapshotMismatch: 0,
    generationGaps: 0,
    bySource: {},
    decisions: {},
    batchOutcomes: {},
  };
  const parsed = generations.map((g, k) => parseGeneration(lib, g, k, c, violation));
  // Each session's own payload: its enqueue line, which must hold the features enqueue computes.
  const own = new Map();
  for (const gen of parsed) {
    for (const { e, line } of gen.events) {
      if (e.t === "batch") {
        c.batches++;
        const key = `${e.engine}:${e.outcome}`;
        c.batchOutcomes[key] = (c.batchOutcomes[key] ?? 0) + 1;
      }
      if (e.t !== "enqueue") continue;
      enqueues.set(e.id, (enqueues.get(e.id) ?? 0) + 1);
      const payload = parsePayload(line);
      if (!own.has(e.id)) own.set(e.id, payload);
      const want = prepared.get(e.id);
      if (!want) violation("unknown session", `${e.id} was enqueued but never generated`);
      else if (canonical(payload.features) !== canonical(want.features)) {
        c.wrongFeatures++;
        violation("wrong features", `${e.id} was queued with features that are not its own`);
      }
    }
  }
  const expected = await expectations(lib, fake.lib, fake.model, fake.threshold, own);
  for (const gen of parsed) {
    for (const { e, line } of gen.events) {
      if (e.t !== "result" && e.t !== "dead") continue;
      const result = parsePayload(line).result;
      finals.set(e.id, [...(finals.get(e.id) ?? []), { e, result, gen: gen.k }]);
      checkResult(e, result, expected.get(e.id), c, violation);
    }
  }
  checkCoverage(parsed, c, violation);
  checkSnapshots(lib, parsed, finals, c, violation);
  const last = parsed.at(-1);
  const finalState = last?.state ?? emptyState();
  const sessionLines = new Map();
  for (const { e } of last?.events ?? []) {
    if (e.t === "enqueue" || e.t === "snapshot")
      sessionLines.set(e.id, (sessionLines.get(e.id) ?? 0) + 1);
  }
  let lost = 0;
  let duplicated = 0;
  let presentOnce = 0;
  let unfinished = 0;
  let notEnqueued = 0;
  let doubleScored = 0;
  for (const id of ids) {
    const n = sessionLines.get(id) ?? 0;
    if (n === 1) presentOnce++;
    if (n === 0) {
      lost++;
      violation("lost", `${id} is not in the final journal`);
    }
    if (!enqueues.has(id)) {
      notEnqueued++;
      violation("never enqueued", `${id}: no enqueue event in any generation`);
    }
    if (n > 1 || (enqueues.get(id) ?? 0) > 1) {
      duplicated++;
      violation("duplicated", `${id}: ${n} session lines, ${enqueues.get(id)} enqueue events`);
    }
    const rec = finalState.sessions.get(id);
    if (rec && rec.status !== "scored" && rec.status !== "dead") {
      unfinished++;
      violation("unfinished", `${id} is still ${rec.status} after the final drain`);
    }
    const f = finals.get(id) ?? [];
    if (f.length > 1) {
      doubleScored++;
      const where = f.map((x) => `${x.e.t} by ${x.e.batch} (generation ${x.gen})`).join(", ");
      violation("double-scored", `${id}: ${where}`);
    }
  }
  const finalEvents = [...finals.values()].reduce((a, f) => a + f.length, 0);
  checkQuarantine(quarantine, c, violation);
  checkStats(stats, { n: ids.length, finalEvents, batches: c.batches }, violation);
  return {
    sessions: ids.length,
    enqueued: enqueues.size,
    presentOnce,
    lost,
    duplicated,
    notEnqueued,
    unfinished,
    doubleScored,
    wrongPayload: c.wrongPayload,
    wrongFeatures: c.wrongFeatures,
    snapshotMismatch: c.snapshotMismatch,
    corruptLines: c.corruptLines,
    quarantineTornTails: c.tornTails,
    generations: generations.length,
    generationGaps: c.generationGaps,
    finalEvents,
    batches: c.batches,
    batchOutcomes: c.batchOutcomes,
    bySource: c.bySource,
    decisions: c.decisions,
    violations: v,
  };
}

function parseGeneration(lib, g, k, c, violation) {
  const { parseHeader, applyEvent, emptyState } = lib;
  const lines = g.text.split("\n");
  const tail = lines.pop();
  if (tail) violation("torn tail", `generation ${k} (inode ${g.ino}) ends with an unfinished line`);
  const events = [];
  const state = emptyState();
  lines.forEach((line, i) => {
    const e = parseHeader(line);
    if (!e) {
      c.corruptLines++;
      violation("corrupt line", `generation ${k} line ${i + 1}: ${line.slice(0, 120)}`);
      return;
    }
    events.push({ e, line });
    applyEvent(state, e, i);
  });
  return { k, events, state };
}

export function checkResult(e, result, want, c, violation) {
  const source = result?.source;
  c.bySource[source] = (c.bySource[source] ?? 0) + 1;
  c.decisions[result?.decision] = (c.decisions[result?.decision] ?? 0) + 1;
  if (!want) return;
  let ok;
  if (source === "local" || source === "fallback") ok = comparable(result) === want.local;
  else if (source === "woodwide") {
    // Row i of the batch CSV is session i: the raw score the fake gives the session's own row
    // (a trained model: a mean |z| over 28 columns, a fingerprint of the row) must come back.
    ok = result.rawScore === want.woodwide.rawScore && result.replayOf === want.replayOf;
  } else ok = false;
  if (e.t === "dead" && source !== "fallback") ok = false;
  if (!ok) {
    c.wrongPayload++;
    violation(
      "wrong payload",
      `${e.id}: ${e.t} by ${e.batch} (${source}) ${result?.decision} ${result?.anomalyScore} raw ${result?.rawScore}; its own features give ${source === "woodwide" ? `raw ${want.woodwide.rawScore}` : want.local}`,
    );
  }
}

/**
 * Each compaction snapshots the fold of the generation it replaces. A mismatch means the harness
 * missed a generation (its events are unchecked) or compaction lost or changed something.
 */
function checkCoverage(parsed, c, violation) {
  for (let k = 1; k < parsed.length; k++) {
    const before = parsed[k - 1].state;
    const { events } = parsed[k];
    const meta = events[0]?.e;
    const problems = [];
    if (meta?.t !== "meta") problems.push("does not start with a meta line");
    else if (canonical(meta.totals) !== canonical(before.totals)) {
      problems.push(`totals ${canonical(meta.totals)} after ${canonical(before.totals)}`);
    }
    const snaps = events.filter((x) => x.e.t === "snapshot").map((x) => x.e);
    if (snaps.length !== before.sessions.size) {
      problems.push(`${snaps.length} snapshots for ${before.sessions.size} sessions`);
    }
    for (const s of snaps) {
      const rec = before.sessions.get(s.id);
      const same =
        rec &&
        rec.status === s.status &&
        rec.attempts === s.attempts &&
        rec.doneAt === s.doneAt &&
        rec.enqueuedAt === s.enqueuedAt;
      if (!same)
        problems.push(
          `session ${s.id} snapshot ${s.status}/${s.attempts} after ${rec?.status}/${rec?.attempts}`,
        );
    }
    if (problems.length > 0) {
      c.generationGaps++;
      violation(
        "generation mismatch",
        `generation ${k} is not the fold of the one before (compaction lost state, or a generation was missed): ${problems.slice(0, 3).join("; ")}`,
      );
    }
  }
}

/** A result carried through compaction must be the one its final event recorded. */
function checkSnapshots(lib, parsed, finals, c, violation) {
  const { parsePayload } = lib;
  for (const gen of parsed) {
    for (const { e, line } of gen.events) {
      if (e.t !== "snapshot" || e.doneAt === undefined) continue;
      const result = parsePayload(line).result;
      const f = finals.get(e.id) ?? [];
      if (!f.some((x) => canonical(x.result) === canonical(result))) {
        c.snapshotMismatch++;
        violation(
          "snapshot mismatch",
          `${e.id} in generation ${gen.k} carries a result no final event recorded`,
        );
      }
    }
  }
}

function checkQuarantine(text, c, violation) {
  for (const line of text.split("\n").filter(Boolean)) {
    const entry = JSON.parse(line);
    if (entry.reason === "torn last line") c.tornTails++;
    else
      violation(
        "quarantine",
        `${entry.reason} at byte ${entry.offset}: ${String(entry.text).slice(0, 120)}`,
      );
  }
}

function checkStats(stats, want, violation) {
  const t = stats.totals ?? {};
  const wrong = [];
  if (stats.sessions !== want.n) wrong.push(`sessions ${stats.sessions} (want ${want.n})`);
  if (stats.scored + stats.dead !== want.n)
    wrong.push(`scored ${stats.scored} + dead ${stats.dead}`);
  for (const k of ["due", "inFlight", "backoff", "corruptLines"]) {
    if (stats[k] !== 0) wrong.push(`${k} ${stats[k]}`);
  }
  if (t.scored + t.dead !== want.finalEvents) {
    wrong.push(
      `totals.scored ${t.scored} + totals.dead ${t.dead} vs ${want.finalEvents} final events`,
    );
  }
  if (t.batches !== want.batches)
    wrong.push(`totals.batches ${t.batches} vs ${want.batches} batch lines`);
  if (wrong.length > 0) violation("stats", wrong.join("; "));
}
