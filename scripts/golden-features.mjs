#!/usr/bin/env node
// Writes issue 10's golden fixtures (run with dist/ built from the commit they pin):
//   fixtures/golden/sessions.ndjson.gz  the deterministic input sessions (seeded, see below),
//                                        digested with fixtures/eval-sample's sessions after them;
//   fixtures/golden/expected.json       per-session digests of features, feature sets, stored
//                                        playproof-1 entries, replay fingerprint, heuristic and
//                                        local-engine scores (scripts/golden-digest.mjs);
//   fixtures/golden/devset.json         the same over every session of ../shared/eval, if present.
// test/scoring/golden.test.ts recomputes the first from src/; `npm run eval` the second.
// Usage: npm run build && node scripts/golden-features.mjs [--devset-only]
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { resampleSession } from "../dist/scoring/resample.js";
import { parseSession } from "../dist/telemetry/schema.js";
import { session as benchSession } from "./bench/gen.mjs";
import { DEFAULT_EVAL_DIR, listFiles, PACKAGE_ROOT } from "./eval-data.mjs";
import { HUMAN_VARIANTS } from "./eval-variants.mjs";
import { rng } from "./generators/common.mjs";
import { generateBots } from "./generators/families.mjs";
import { perturbedReplay } from "./generators/replay.mjs";
import { devsetParts, distGoldenApi } from "./golden-api.mjs";
import { goldenParts, overallDigest, readGoldenInput } from "./golden-digest.mjs";

const dir = join(PACKAGE_ROOT, "fixtures", "golden");

/** Hand-made edge cases: tiny paths, equal and reversed timestamps, click flags, no duration. */
function edgeCases() {
  const m = (x, y, timestamp) => ({ x, y, timestamp });
  const base = { gameType: "g", deviceType: "mouse" };
  const cases = [
    { movements: [], clicks: [] },
    { movements: [], clicks: [{ ...m(5, 5, 10), targetHit: true }, m(6, 7, 20)] },
    { movements: [m(1, 1, 0)], clicks: [] },
    { movements: [m(1, 1, 0), m(4, 5, 10)], clicks: [{ ...m(4, 5, 12), targetHit: false }] },
    { movements: [m(1, 1, 0), m(4, 5, 10), m(4, 5, 10)], clicks: [] },
    { movements: [m(1, 1, 5), m(2, 2, 5), m(3, 3, 5)], clicks: [] },
    { movements: [m(0, 0, 0), m(0, 0, 16), m(0, 0, 32), m(0, 0, 48)], clicks: [m(0, 0, 1)] },
    { movements: [m(3, 3, 30), m(2, 2, 20), m(1, 1, 10), m(0, 0, 0)], clicks: [] },
    {
      movements: Array.from({ length: 14 }, (_, i) =>
        m(i * 3, (i % 3) * 2, Math.floor(i / 2) * 16),
      ),
      clicks: [
        m(9, 0, 40),
        { ...m(30, 4, 5), targetHit: true },
        { ...m(1, 1, 100), targetHit: false },
      ],
      hits: 0,
      misses: 0,
    },
    {
      movements: Array.from({ length: 20 }, (_, i) => m(i * 10, i * i, i * 300)),
      clicks: [{ ...m(5, 5, 0), targetHit: true }],
      hits: 3,
      misses: 1,
    },
    // Extreme but finite input (the schema allows any finite number): overflowing steps give
    // Infinity and NaN inside the extractor, which must still come out the same.
    {
      movements: Array.from({ length: 16 }, (_, i) =>
        m((i % 2 ? 1 : -1) * 1e308, i % 3 ? 1e-300 : -5e307, i * 40 + (i % 4) * 1e15),
      ),
      clicks: [m(1e308, 0, 3)],
    },
    {
      movements: Array.from({ length: 40 }, (_, i) => m(i ** 3 * 1e-7, (i % 5) * 1e12, i * 7.5)),
      clicks: [],
    },
  ];
  const out = [];
  cases.forEach((c, i) => {
    const durationMs = (c.movements.at(-1)?.timestamp ?? 0) + 7;
    out.push({ sessionId: `edge-${i}`, ...base, durationMs, ...c });
    out.push({ sessionId: `edge-${i}-bare`, ...c }); // no durationMs, gameType, hits: fallbacks
  });
  return out;
}

/** Seeded random sessions over the awkward corners: zero and negative dt, zero-length steps. */
function randomCases(n) {
  const r = rng(0x601de9);
  const dts = [0, 0, 1, 2, 8, 16, 17, 33, 100, 249, 251, 600];
  return Array.from({ length: n }, (_, k) => {
    const count = r.int(0, 80);
    const int = r.next() < 0.5;
    let x = r.range(0, 800);
    let y = r.range(0, 600);
    let t = r.range(0, 1e6);
    const movements = [];
    for (let i = 0; i < count; i++) {
      movements.push({ x: int ? Math.round(x) : x, y: int ? Math.round(y) : y, timestamp: t });
      if (r.next() < 0.3) {
        x += r.int(-2, 2);
        y += r.int(-2, 2);
      } else {
        x += r.gauss() * 20;
        y += r.gauss() * 15;
      }
      t += r.next() < 0.05 ? -r.int(1, 40) : r.pick(dts);
    }
    const clicks = Array.from({ length: r.int(0, 5) }, () => ({
      x: r.range(0, 800),
      y: r.range(0, 600),
      timestamp: t - r.range(0, 3000),
      ...(r.next() < 0.33 ? {} : { targetHit: r.next() < 0.5 }),
    }));
    const s = { sessionId: `random-${k}`, movements, clicks };
    if (r.next() < 0.7) Object.assign(s, { gameType: "g", deviceType: "touch", durationMs: t });
    if (r.next() < 0.5) Object.assign(s, { hits: r.int(0, 4), misses: r.int(0, 4) });
    return s;
  });
}

function sampleHumans() {
  const sample = join(PACKAGE_ROOT, "fixtures", "eval-sample");
  const names = ["human-balabit", "human-webbot"];
  return names.map((name) =>
    gunzipSync(readFileSync(join(sample, `${name}.ndjson.gz`)))
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => parseSession(JSON.parse(l)).session),
  );
}

function goldenSessions() {
  const out = [];
  for (const points of [0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 30, 100, 300]) {
    for (let i = 0; i < 4; i++) out.push(benchSession(i * 7 + points, points));
  }
  out.push(...edgeCases(), ...randomCases(80));
  for (const [split, n] of [
    ["dev", 4],
    ["holdout", 2],
  ]) {
    for (const family of generateBots(split, n)) out.push(...family.sessions);
  }
  const humans = sampleHumans().flatMap((list) => list.slice(0, 1));
  // Variants sampled every 8 ms or slower: finer ones would make the fixture megabytes.
  const variants = Object.entries(HUMAN_VARIANTS).filter(([, o]) => o.intervalMs >= 8);
  for (const [name, opts] of variants) {
    humans.forEach((h, i) => {
      const v = resampleSession(h, { ...opts, seed: i + 1 });
      out.push({ ...v, sessionId: `${h.sessionId}@${name}` });
    });
  }
  humans.forEach((h, i) => {
    out.push(perturbedReplay(h, 100 + i));
  });
  return out;
}

const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PACKAGE_ROOT }).toString().trim();
const dirty = execFileSync("git", ["status", "--porcelain", "src"], { cwd: PACKAGE_ROOT })
  .toString()
  .trim();
if (dirty) throw new Error(`src/ has uncommitted changes: the fixture must name its commit`);
const api = distGoldenApi();
const provenance = (what) =>
  `${what} computed by scripts/golden-features.mjs from dist/ built at commit ${commit}`;

if (!process.argv.includes("--devset-only")) {
  const text = goldenSessions()
    .map((s) => JSON.stringify(s))
    .join("\n");
  writeFileSync(join(dir, "sessions.ndjson.gz"), gzipSync(`${text}\n`, { level: 9 }));
  // Digest what the files hold (JSON may differ from the objects in -0 only, but be exact).
  const sessions = readGoldenInput(PACKAGE_ROOT);
  const parts = goldenParts(sessions, api);
  const expected = {
    provenance: provenance("Per-session digests"),
    commit,
    sessions: parts.length,
  };
  const json = { ...expected, digest: overallDigest(parts), parts };
  writeFileSync(join(dir, "expected.json"), `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(`golden: ${parts.length} sessions, digest ${json.digest}\n`);
}

const files = listFiles([], DEFAULT_EVAL_DIR);
const parts = await devsetParts(files, api);
const devset = {
  provenance: provenance("Digest over every session of ../shared/eval"),
  commit,
  files: files.map((f) => f.split("/").at(-1)),
  sessions: parts.length,
  digest: overallDigest(parts),
};
writeFileSync(join(dir, "devset.json"), `${JSON.stringify(devset, null, 1)}\n`);
process.stdout.write(`devset: ${parts.length} sessions, digest ${devset.digest}\n`);
