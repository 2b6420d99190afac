import { hashString } from "./random.js";

/**
 * Which dev-set humans the shipped baseline is built from. The rest are held out so `npm run eval`
 * reports humans out of sample (issue 3). Whole recordings go to one side: the 10 s windows of a
 * recording are near-duplicates, and splitting them would leak a held-out human into training.
 */
export const BASELINE_SPLIT = { seed: "playproof-baseline-v1", percent: 60 } as const;

/** "balabit:user7:test:session_0244684556:w002" -> "balabit:user7:test:session_0244684556". */
export function sessionGroup(sessionId: string): string {
  return sessionId.replace(/:w\d+$/, "");
}

export function isBaselineSession(sessionId: string): boolean {
  const bucket = hashString(`${BASELINE_SPLIT.seed}:${sessionGroup(sessionId)}`) % 100;
  return bucket < BASELINE_SPLIT.percent;
}
