#!/usr/bin/env node
// Regenerates fixtures/baseline/ from the dev-set humans (issue 3, "A human baseline"). Run after
// `npm run build`: it uses the built feature extraction, so the baseline matches what ships.
// Issue 13, part 2: also trains the supervised bot model (bot-model.json) on the baseline humans,
// as recorded and re-recorded through every sampling variant, against dev-seed generated bots
// only (the hold-out seeds from 1,000,001 are never seen). Deterministic: same inputs, same bytes.
//   node scripts/build-baseline.mjs [HUMAN_FILES...]
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { formatBaselineCsv } from "../dist/scoring/baseline-csv.js";
import { BASELINE_SPLIT, isBaselineSession } from "../dist/scoring/baseline-split.js";
import { featureKey } from "../dist/telemetry/feature-sets.js";
import { extractFeatures } from "../dist/telemetry/features.js";
import { extractPlayProof1 } from "../dist/telemetry/features-playproof1.js";
import { parseSession } from "../dist/telemetry/schema.js";
import { labelOf, listFiles, PACKAGE_ROOT, readRecords } from "./eval-data.mjs";
import { trainBotModel } from "./train-bot-model.mjs";

const outDir = join(PACKAGE_ROOT, "fixtures/baseline");
const files = listFiles(process.argv.slice(2)).filter((f) => labelOf(f) === "human");
const rows = [];
const sources = [];
const humans = [];
for (const file of files) {
  let used = 0;
  let heldOut = 0;
  for await (const record of readRecords(file)) {
    const parsed = parseSession(record);
    if (!parsed.ok) throw new Error(`${basename(file)}: ${parsed.error}`);
    if (!isBaselineSession(parsed.session.sessionId)) {
      heldOut++;
      continue;
    }
    // Issue 13: both feature sets; playproof-1 whole, under its own column names.
    const pp1 = extractPlayProof1(parsed.session);
    const named = Object.entries(pp1).map(([c, v]) => [featureKey("playproof-1", c), v]);
    rows.push({ ...extractFeatures(parsed.session), ...Object.fromEntries(named) });
    humans.push(parsed.session);
    used++;
  }
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  sources.push({ file: basename(file), sha256, baselineSessions: used, heldOutSessions: heldOut });
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "human-baseline.csv"), formatBaselineCsv(rows));
const { model, training } = trainBotModel(humans);
const modelText = `${JSON.stringify(model)}\n`;
writeFileSync(join(outDir, "bot-model.json"), modelText);
const botModel = { sha256: createHash("sha256").update(modelText).digest("hex"), ...training };
const manifest = {
  rows: rows.length,
  split: BASELINE_SPLIT,
  splitUnit: "recording",
  sources,
  botModel,
};
writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
process.stderr.write(`baseline: ${rows.length} rows from ${files.length} file(s) -> ${outDir}\n`);
