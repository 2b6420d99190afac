// Types for the bars shared by scripts/eval.mjs and the dev-set test.
export declare const BARS: {
  overallAuc: number;
  botFileAuc: number;
  botsNotPassed: number;
  humansPassed: number;
  humansNotFailed: number;
};
