// What each session's results must be, computed from the session's own queued payload with the
// tested tree's engines: its local-engine result, and the raw score the fake Woodwide model gives
// its own row (a trained model: a mean |z| over every column, a fingerprint of the row).

/** Fake-model rows exactly as the fake parses them from a batch CSV, and the model columns. */
export function fakeTable(lib, fake, payloads) {
  return fake.model.parseCsvTable(lib.buildBatchCsv(payloads));
}

export async function expectations(lib, fake, fakeModel, threshold, own) {
  const ids = [...own.keys()];
  const payloads = ids.map((id) => own.get(id));
  const local = await lib.scoreLocal(payloads);
  const raw = fake.model.scoreRows(fakeModel, fakeTable(lib, fake, payloads).rows, threshold);
  return new Map(
    ids.map((id, i) => [
      id,
      {
        local: comparable(local[i]),
        woodwide: { rawScore: raw[i].score },
        replayOf: payloads[i].replayOf,
      },
    ]),
  );
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
