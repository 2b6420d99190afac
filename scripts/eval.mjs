#!/usr/bin/env node
import { isBaselineSession } from "../dist/scoring/baseline-split.js";
// npm run eval [FILES...] [--json]: the local engine and the heuristics over labelled sessions
// (issue 3, "npm run eval"). Same path as `process --engine local`: parseSession ->
// extractFeatures -> loadLocalEngine().scoreRows. Humans in the shipped baseline are skipped, so
// every human figure is out of sample; held-out humans are also re-recorded at other rates.
import { heuristicResult } from "../dist/scoring/heuristics.js";
import { loadLocalEngine } from "../dist/scoring/local-model.js";
import { resampleSession } from "../dist/scoring/resample.js";
import { DEFAULT_THRESHOLDS } from "../dist/scoring/result.js";
import { extractFeatures } from "../dist/telemetry/features.js";
import { parseSession } from "../dist/telemetry/schema.js";
import { BARS, checkBars } from "./eval-bars.mjs";
import { datasetName, labelOf, listFiles, readRecords } from "./eval-data.mjs";
import { formatReport, summarise } from "./eval-report.mjs";

export const VARIANTS = {
  "4ms": { intervalMs: 4, jitterMs: 0.5 },
  "8ms-int": { intervalMs: 8, jitterMs: 1, integer: true },
  "33ms-dpr1.5": { intervalMs: 33, jitterMs: 2, scale: 1 / 1.5 },
  "100ms-int": { intervalMs: 100, jitterMs: 5, integer: true },
  "120ms": { intervalMs: 120, jitterMs: 5 },
};

async function loadSessions(file) {
  const sessions = [];
  let skipped = 0;
  for await (const record of readRecords(file)) {
    const parsed = parseSession(record);
    if (!parsed.ok) throw new Error(`${file}: ${parsed.error}`);
    if (labelOf(file) === "human" && isBaselineSession(parsed.session.sessionId)) skipped++;
    else sessions.push(parsed.session);
  }
  return { sessions, skipped };
}

function scoreAll(engine, sessions, now) {
  const features = sessions.map(extractFeatures);
  const opts = { thresholds: DEFAULT_THRESHOLDS, now };
  return {
    local: engine.scoreRows(features, opts),
    heuristic: features.map((f) => heuristicResult(f, opts)),
  };
}

export async function runEval(files, { variants = true } = {}) {
  const engine = loadLocalEngine();
  const now = new Date();
  const sets = [];
  for (const file of files) {
    const label = labelOf(file);
    if (!label) throw new Error(`${file}: the name must start with human- or bot-`);
    const { sessions, skipped } = await loadSessions(file);
    sets.push({ name: datasetName(file), label, skipped, ...scoreAll(engine, sessions, now) });
    if (label !== "human" || !variants) continue;
    for (const [variant, opts] of Object.entries(VARIANTS)) {
      const resampled = sessions.map((s, i) => resampleSession(s, { ...opts, seed: i + 1 }));
      sets.push({
        name: `${datasetName(file)}@${variant}`,
        label,
        variant: true,
        skipped,
        ...scoreAll(engine, resampled, now),
      });
    }
  }
  return summarise(sets, { id: engine.id, version: engine.version });
}

// Exit 1 when any bar of eval-bars.mjs is missed (issue 8: CI fails when detection regresses),
// 2 when there is nothing to evaluate. The table (or JSON) is printed either way.
async function main(args) {
  const json = args.includes("--json");
  let report;
  try {
    const files = listFiles(args.filter((a) => !a.startsWith("--")));
    report = await runEval(files, { variants: !args.includes("--no-variants") });
  } catch (err) {
    process.stderr.write(`eval: ${err.message}\n`);
    return 2;
  }
  const misses = checkBars(report);
  if (json) {
    const document = { ...report, bars: { ...BARS, misses } };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(formatReport(report));
    process.stdout.write(formatBars(misses));
  }
  return misses.length > 0 ? 1 : 0;
}

function formatBars(misses) {
  const bars = `AUC >= ${BARS.overallAuc} overall and >= ${BARS.botFileAuc} per bot file, bots not passed >= ${BARS.botsNotPassed}, humans passed >= ${BARS.humansPassed} and not failed >= ${BARS.humansNotFailed} per file and variant`;
  if (misses.length === 0) return `bars: all met (${bars})\n`;
  return `bars: ${misses.length} missed (${bars}):\n${misses.map((m) => `  ${m}\n`).join("")}`;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) process.exitCode = await main(process.argv.slice(2));
