// What each session's results must be, computed here from the session itself: its features,
// its local-engine result, and the raw score the fake Woodwide model gives its own row.

export function featuresOf(lib, sessions) {
  const { parseSession, extractFeatures } = lib;
  return sessions.map((s) => {
    const parsed = parseSession(s);
    if (!parsed.ok) throw new Error(`generated session ${s.sessionId} is invalid: ${parsed.error}`);
    return {
      id: s.sessionId,
      features: extractFeatures(parsed.session),
      meta: { gameType: parsed.session.gameType, deviceType: parsed.session.deviceType },
    };
  });
}

/** A fake-model row exactly as the fake parses it from the batch CSV. */
export function fakeRows(lib, fake, rows) {
  return fake.model.parseCsvTable(lib.buildBatchCsv(rows)).rows;
}

export function expectations(lib, fake, fakeModel, threshold, prepared) {
  const local = lib.loadLocalEngine().scoreRows(
    prepared.map((p) => p.features),
    { thresholds: lib.DEFAULT_THRESHOLDS, now: new Date(0) },
  );
  const raw = fake.model.scoreRows(fakeModel, fakeRows(lib, fake, prepared), threshold);
  const byId = new Map();
  prepared.forEach((p, i) => {
    byId.set(p.id, {
      features: p.features,
      local: comparable(local[i]),
      woodwide: {
        rawScore: raw[i].score,
        isAnomaly: raw[i].isAnomaly,
        reasons: lib.evaluateHeuristics(p.features).reasons,
      },
    });
  });
  return byId;
}

/** A result without what legitimately differs between two scorings of one row. */
export function comparable(result) {
  const { scoredAt: _s, source: _src, fallbackReason: _f, ...rest } = result;
  return canonical(rest);
}

export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
