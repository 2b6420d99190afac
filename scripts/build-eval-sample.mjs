#!/usr/bin/env node
// Regenerates fixtures/eval-sample/ from the dev set in ../shared/eval (issue 8: a fresh clone has
// no ../shared, so the dev-set tests read this small sample instead). Deterministic: the same
// source files give byte-identical NDJSON (the manifest records its sha256).
//   npm run eval-sample [-- HUMAN_AND_BOT_FILES...]
// Rule: per file, rank the eligible sessions by sha256(SEED + ":" + sessionId) and keep the
// first N, written in source order, each line byte-identical to the source. Eligible humans are
// the held-out ones only (the baseline's rows would be skipped by every check); every bot is.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { isBaselineSession } from "../dist/scoring/baseline-split.js";
import { datasetName, labelOf, listFiles, PACKAGE_ROOT, readLines } from "./eval-data.mjs";

export const SAMPLE = { seed: "playproof-eval-sample-v1", humansPerFile: 50, botsPerFile: 20 };
const outDir = join(PACKAGE_ROOT, "fixtures/eval-sample");

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const rank = (id) => sha256(`${SAMPLE.seed}:${id}`);

async function sampleFile(file) {
  const label = labelOf(file);
  const eligible = [];
  let sessions = 0;
  for await (const line of readLines(file)) {
    const id = JSON.parse(line).sessionId;
    sessions++;
    if (label === "human" && isBaselineSession(id)) continue;
    eligible.push({ index: eligible.length, rank: rank(id), line });
  }
  const n = label === "human" ? SAMPLE.humansPerFile : SAMPLE.botsPerFile;
  const kept = [...eligible].sort((a, b) => (a.rank < b.rank ? -1 : 1)).slice(0, n);
  kept.sort((a, b) => a.index - b.index);
  const text = kept.map((k) => `${k.line}\n`).join("");
  const name = `${datasetName(file)}.ndjson.gz`;
  writeFileSync(join(outDir, name), gzipSync(text, { level: 9 }));
  return {
    file: name,
    label,
    source: { file: basename(file), sha256: sha256(readFileSync(file)), sessions },
    eligible: eligible.length,
    sessions: kept.length,
    ndjsonSha256: sha256(text),
  };
}

const files = listFiles(process.argv.slice(2)).filter((f) => labelOf(f));
mkdirSync(outDir, { recursive: true });
const entries = [];
for (const file of files) entries.push(await sampleFile(file));
const manifest = {
  source: "../shared/eval (see its README.md)",
  rule: "per file, the first N eligible sessions by sha256(seed:sessionId), in source order; eligible humans are the held-out ones (not isBaselineSession), every bot is eligible",
  ...SAMPLE,
  sessions: entries.reduce((n, e) => n + e.sessions, 0),
  files: entries,
};
writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
process.stderr.write(
  `eval sample: ${manifest.sessions} sessions from ${files.length} files -> ${outDir}\n`,
);
