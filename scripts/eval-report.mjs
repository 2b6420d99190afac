// Metrics and the text table for scripts/eval.mjs.

/** ROC AUC = P(bot score > human score), ties counted half (Mann-Whitney with mid-ranks). */
export function rocAuc(botScores, humanScores) {
  if (botScores.length === 0 || humanScores.length === 0) return null;
  const all = [...botScores.map((v) => [v, 1]), ...humanScores.map((v) => [v, 0])];
  all.sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const midRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += midRank;
    i = j;
  }
  const n = botScores.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * humanScores.length);
}

const share = (results, test) =>
  results.length ? results.filter(test).length / results.length : null;

/**
 * Share of bots scoring above the threshold that at most 1% of humans exceed (issue 13: "TPR at
 * 1% human FPR"). Humans tied at the threshold count as not above it, bots likewise.
 */
export function tprAtFpr(botScores, humanScores, fpr = 0.01) {
  if (botScores.length === 0 || humanScores.length === 0) return null;
  const sorted = [...humanScores].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length);
  const threshold = sorted[allowed];
  return botScores.filter((v) => v > threshold).length / botScores.length;
}

function metrics(results, humanScores, label) {
  const scores = results.map((r) => r.anomalyScore);
  return {
    auc: label === "bot" ? rocAuc(scores, humanScores) : null,
    tprAt1PctFpr: label === "bot" ? tprAtFpr(scores, humanScores) : null,
    notPassed: share(results, (r) => r.decision !== "pass"),
    failed: share(results, (r) => r.decision === "fail"),
    passed: share(results, (r) => r.decision === "pass"),
    review: share(results, (r) => r.decision === "review"),
  };
}

export function summarise(sets, model) {
  const humans = sets.filter((s) => s.label === "human" && !s.variant);
  // The dev-set bot files only: the overall bars are issue 3's, over its files.
  const bots = sets.filter((s) => s.label === "bot" && !s.generated);
  const humanScores = (engine) => humans.flatMap((s) => s[engine].map((r) => r.anomalyScore));
  const row = (s) => ({
    name: s.name,
    label: s.label,
    sessions: s.local.length,
    skippedBaselineHumans: s.skipped,
    local: metrics(s.local, humanScores("local"), s.label),
    heuristic: metrics(s.heuristic, humanScores("heuristic"), s.label),
  });
  const overall = (engine) => {
    const botResults = bots.flatMap((s) => s[engine]);
    const humanResults = humans.flatMap((s) => s[engine]);
    return {
      auc: rocAuc(
        botResults.map((r) => r.anomalyScore),
        humanScores(engine),
      ),
      botsNotPassed: share(botResults, (r) => r.decision !== "pass"),
      botsFailed: share(botResults, (r) => r.decision === "fail"),
      humansPassed: share(humanResults, (r) => r.decision === "pass"),
      humansNotFailed: share(humanResults, (r) => r.decision !== "fail"),
    };
  };
  return {
    model,
    humansOutOfSample: "humans in the shipped baseline are skipped; all human rows are held out",
    files: sets.filter((s) => !s.variant && !s.generated).map(row),
    resampledHumans: sets.filter((s) => s.variant).map(row),
    generated: sets.filter((s) => s.generated).map((s) => ({ ...row(s), split: s.generated })),
    overall: { local: overall("local"), heuristic: overall("heuristic") },
  };
}

const pct = (x) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
const num = (x) => (x === null ? "-" : x.toFixed(4));

export function formatReport(report) {
  const head = ["set", "n", "AUC", "TPR@1%", "pass", "review", "fail", "| heur AUC", "pass"];
  const widths = [34, 6, 7, 7, 7, 7, 7, 11, 7];
  const line = (cells) => `${cells.map((c, i) => String(c).padEnd(widths[i])).join(" ")}\n`;
  const cells = (r) => [
    r.name,
    r.sessions,
    num(r.local.auc),
    pct(r.local.tprAt1PctFpr),
    pct(r.local.passed),
    pct(r.local.review),
    pct(r.local.failed),
    `| ${num(r.heuristic.auc)}`,
    pct(r.heuristic.passed),
  ];
  let out = `local engine ${report.model.id} ${report.model.version}; ${report.humansOutOfSample}\n`;
  out += line(head);
  for (const r of report.files) out += line(cells(r));
  out += "resampled held-out humans:\n";
  for (const r of report.resampledHumans) out += line(cells(r));
  if (report.generated.length > 0) {
    out += "generated bot families (@dev: the bot model's training seeds; @holdout: never seen):\n";
    for (const r of report.generated) out += line(cells(r));
  }
  const o = report.overall;
  out += `overall local (dev-set files):     AUC ${num(o.local.auc)}  bots not passed ${pct(o.local.botsNotPassed)}  bots failed ${pct(o.local.botsFailed)}  humans passed ${pct(o.local.humansPassed)}  humans not failed ${pct(o.local.humansNotFailed)}\n`;
  out += `overall heuristic (dev-set files): AUC ${num(o.heuristic.auc)}  bots not passed ${pct(o.heuristic.botsNotPassed)}  bots failed ${pct(o.heuristic.botsFailed)}  humans passed ${pct(o.heuristic.humansPassed)}  humans not failed ${pct(o.heuristic.humansNotFailed)}\n`;
  if (report.replay) {
    const { dev, holdout, falseMatches: fm } = report.replay;
    const r = (x) =>
      `${x.caught}/${x.eligible} caught (${pct(x.caughtShare)}; ${pct(x.caughtOfAll)} of all ${x.replays}, plain originals get no fingerprint)`;
    out += `replays of dev-set humans: dev seeds ${r(dev)}; hold-out seeds ${r(holdout)}\n`;
    out += `false matches among all ${fm.pairs} pairs of ${fm.fingerprinted} fingerprinted dev-set humans (of ${fm.humans}): ${fm.matches}\n`;
  }
  return out;
}
