#!/usr/bin/env node
import { isBaselineSession } from "../dist/scoring/baseline-split.js";
// npm run eval [FILES...] [--json] [--no-variants] [--no-generated]: the local engine and the
// heuristics over labelled sessions (issue 3, "npm run eval"). Same path as `process --engine
// local`: parseSession -> extractFeatures -> loadLocalEngine().scoreRows. Humans in the shipped
// baseline are skipped, so every human figure is out of sample; held-out humans are also
// re-recorded at other rates and through real devices' quirks. Issue 13: the generated bot
// families (scripts/generators, made on the fly from their seeds) on the dev seeds the bot model
// was trained on and on the hold-out seeds it never saw, and the replay check.
import { heuristicResult } from "../dist/scoring/heuristics.js";
import { loadLocalEngine } from "../dist/scoring/local-model.js";
import { resampleSession } from "../dist/scoring/resample.js";
import { DEFAULT_THRESHOLDS } from "../dist/scoring/result.js";
import { extractFeatures } from "../dist/telemetry/features.js";
import { parseSession } from "../dist/telemetry/schema.js";
import { BARS, checkBars, checkIssue13, ISSUE13_TARGETS } from "./eval-bars.mjs";
import { datasetName, labelOf, listFiles, readRecords } from "./eval-data.mjs";
import { falseMatches, replayCheck } from "./eval-replay.mjs";
import { formatReport, summarise } from "./eval-report.mjs";
import { HUMAN_VARIANTS, VARIANTS } from "./eval-variants.mjs";
import { generateBots } from "./generators/families.mjs";
import { checkDevsetDigest } from "./golden-check.mjs";

export { VARIANTS };

/** Sessions per generated family and split: 200, as the issue's figures were measured. */
export const GENERATED_PER_FAMILY = 200;

async function loadSessions(file) {
  const sessions = [];
  const all = [];
  let skipped = 0;
  for await (const record of readRecords(file)) {
    const parsed = parseSession(record);
    if (!parsed.ok) throw new Error(`${file}: ${parsed.error}`);
    all.push(parsed.session);
    if (labelOf(file) === "human" && isBaselineSession(parsed.session.sessionId)) skipped++;
    else sessions.push(parsed.session);
  }
  return { sessions, skipped, all };
}

function scoreAll(engine, sessions, now) {
  const features = sessions.map(extractFeatures);
  const opts = { thresholds: DEFAULT_THRESHOLDS, now };
  return {
    local: engine.scoreRows(features, opts),
    heuristic: features.map((f) => heuristicResult(f, opts)),
  };
}

export async function runEval(files, { variants = true, generated = true } = {}) {
  const engine = loadLocalEngine();
  const now = new Date();
  const sets = [];
  const allHumans = [];
  for (const file of files) {
    const label = labelOf(file);
    if (!label) throw new Error(`${file}: the name must start with human- or bot-`);
    const { sessions, skipped, all } = await loadSessions(file);
    sets.push({ name: datasetName(file), label, skipped, ...scoreAll(engine, sessions, now) });
    if (label !== "human") continue;
    allHumans.push(...all);
    if (!variants) continue;
    for (const [variant, opts] of Object.entries(HUMAN_VARIANTS)) {
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
  if (generated) {
    for (const split of ["dev", "holdout"]) {
      for (const family of generateBots(split, GENERATED_PER_FAMILY)) {
        const name = `${family.name}@${split}`;
        sets.push({
          name,
          label: "bot",
          generated: split,
          ...scoreAll(engine, family.sessions, now),
        });
      }
    }
  }
  const report = summarise(sets, { id: engine.id, version: engine.version });
  if (generated && allHumans.length > 0) {
    report.replay = {
      dev: replayCheck(allHumans, "dev"),
      holdout: replayCheck(allHumans, "holdout"),
      falseMatches: falseMatches(allHumans),
    };
  }
  return report;
}

// Exit 1 when any bar of eval-bars.mjs is missed (issue 8: CI fails when detection regresses),
// 2 when there is nothing to evaluate. The table (or JSON) is printed either way. Issue 13's
// targets are printed too; they fail the run only where eval-bars.mjs says they are enforced.
async function main(args) {
  const json = args.includes("--json");
  const named = args.filter((a) => !a.startsWith("--"));
  // Issue 13's per-variant human bars are 97% of ~1,000 sessions; on a 50-session sample one
  // session moves a share by 2 points, so they are enforced on the full dev set only.
  const enforce13 = ISSUE13_TARGETS.enforced && named.length === 0;
  let report;
  try {
    const files = listFiles(named);
    report = await runEval(files, {
      variants: !args.includes("--no-variants"),
      generated: !args.includes("--no-generated"),
    });
  } catch (err) {
    process.stderr.write(`eval: ${err.message}\n`);
    return 2;
  }
  const misses = checkBars(report);
  const issue13 = checkIssue13(report);
  // Issue 10: over the full dev set, features and scores must be bit-identical to the pinned digest.
  const golden = named.length === 0 ? await checkDevsetDigest() : undefined;
  const failing = [
    ...misses,
    ...(enforce13 ? issue13 : []),
    ...(golden?.ok === false ? [golden.message] : []),
  ];
  if (json) {
    const bars = { ...BARS, misses, issue13: { ...ISSUE13_TARGETS, misses: issue13 } };
    process.stdout.write(`${JSON.stringify({ ...report, bars, golden }, null, 2)}\n`);
  } else {
    process.stdout.write(formatReport(report));
    process.stdout.write(formatBars(misses, issue13, enforce13));
    if (golden) process.stdout.write(`${golden.message}\n`);
  }
  return failing.length > 0 ? 1 : 0;
}

function formatBars(misses, issue13, enforced) {
  const bars = `AUC >= ${BARS.overallAuc} overall and >= ${BARS.botFileAuc} per bot file, bots not passed >= ${BARS.botsNotPassed}, humans passed >= ${BARS.humansPassed} and not failed >= ${BARS.humansNotFailed} per file and variant`;
  const t = ISSUE13_TARGETS;
  const targets = `hold-out families AUC >= ${t.familyAuc} and passed <= ${t.familyPassedMax}, humans passed >= ${t.humansPassed} and failed <= ${t.humansFailedMax} per source and variant, replays caught >= ${t.replaysCaught}, 0 false matches`;
  const head = enforced
    ? "issue 13 bars"
    : "issue 13 targets (printed; enforced on the full dev set only)";
  let out =
    misses.length === 0
      ? `bars: all met (${bars})\n`
      : `bars: ${misses.length} missed (${bars}):\n${misses.map((m) => `  ${m}\n`).join("")}`;
  out +=
    issue13.length === 0
      ? `${head}: all met (${targets})\n`
      : `${head}: ${issue13.length} missed (${targets}):\n${issue13.map((m) => `  ${m}\n`).join("")}`;
  return out;
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) process.exitCode = await main(process.argv.slice(2));
