// The detection bars of issue 3 ("Dev-set targets"), the contract `npm run eval` exits non-zero
// on and test/scoring/local-model-devset.test.ts asserts on the shipped sample (issue 8).
export const BARS = {
  /** ROC AUC of all bots against all held-out humans. */
  overallAuc: 0.98,
  /** ROC AUC of each bot file against all held-out humans. */
  botFileAuc: 0.95,
  /** Share of each bot file's sessions sent to review or fail. */
  botsNotPassed: 0.85,
  /** Share of each human file's held-out sessions, as recorded and in every resampled variant. */
  humansPassed: 0.9,
  humansNotFailed: 0.95,
};

const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** Every bar the report misses, as "set: what is below the bar"; empty when all hold. */
export function checkBars(report, bars = BARS) {
  const misses = [];
  const below = (name, what, value, bar, fmt) => {
    if (value === null || value < bar) misses.push(`${name}: ${what} ${fmt(value)} < ${fmt(bar)}`);
  };
  const auc = (x) => (x === null ? "none (needs human and bot files)" : x.toFixed(4));
  const share = (x) => (x === null ? "none" : pct(x));
  below("overall", "AUC", report.overall.local.auc, bars.overallAuc, auc);
  for (const r of [...report.files, ...report.resampledHumans]) {
    if (r.label === "bot") {
      below(r.name, "AUC", r.local.auc, bars.botFileAuc, auc);
      below(r.name, "bots not passed", r.local.notPassed, bars.botsNotPassed, share);
    } else {
      below(r.name, "humans passed", r.local.passed, bars.humansPassed, share);
      const notFailed = r.local.failed === null ? null : 1 - r.local.failed;
      below(r.name, "humans not failed", notFailed, bars.humansNotFailed, share);
    }
  }
  return misses;
}

/**
 * Issue 13, part 2's targets on the hold-out generated families, and part 3's replay check.
 * `enforced`: `npm run eval` fails on them (met since the bot model, issue 13 part 2).
 */
export const ISSUE13_TARGETS = {
  enforced: true,
  familyAuc: 0.99,
  familyPassedMax: 0.05,
  humansPassed: 0.97,
  humansFailedMax: 0.01,
  replaysCaught: 0.95,
};

export function checkIssue13(report, t = ISSUE13_TARGETS) {
  const misses = [];
  for (const r of report.generated ?? []) {
    if (r.split !== "holdout") continue;
    if (r.local.auc === null || r.local.auc < t.familyAuc)
      misses.push(`${r.name}: AUC ${r.local.auc?.toFixed(4)} < ${t.familyAuc}`);
    if (r.local.passed > t.familyPassedMax)
      misses.push(`${r.name}: passed ${pct(r.local.passed)} > ${pct(t.familyPassedMax)}`);
  }
  for (const r of [...report.files, ...report.resampledHumans]) {
    if (r.label !== "human") continue;
    if (r.local.passed < t.humansPassed)
      misses.push(`${r.name}: humans passed ${pct(r.local.passed)} < ${pct(t.humansPassed)}`);
    if (r.local.failed > t.humansFailedMax)
      misses.push(`${r.name}: humans failed ${pct(r.local.failed)} > ${pct(t.humansFailedMax)}`);
  }
  if (report.replay) {
    for (const c of [report.replay.dev, report.replay.holdout]) {
      if (c.caughtShare === null || c.caughtShare < t.replaysCaught)
        misses.push(
          `replays (${c.split} seeds): caught ${pct(c.caughtShare ?? 0)} < ${pct(t.replaysCaught)}`,
        );
    }
    const fm = report.replay.falseMatches.matches;
    if (fm > 0) misses.push(`replays: ${fm} false matches among distinct dev-set humans`);
  }
  return misses;
}
