// The replay check of `npm run eval` (issue 13, part 3): perturbed replays of the dev-set humans
// caught by the same fingerprint and LSH index enqueue uses, and false matches among all pairs of
// distinct dev-set humans by the exact distance (every pair, not only LSH candidates).

import {
  encodeFingerprint,
  fingerprint,
  fingerprintDistance,
  MATCH_DISTANCE,
} from "../dist/scoring/replay-fingerprint.js";
import { createReplayIndex } from "../dist/scoring/replay-index.js";
import { inTimeOrder } from "../dist/telemetry/features-path.js";
import { SPLITS } from "./generators/common.mjs";
import { perturbedReplay } from "./generators/replay.mjs";

const printOf = (s) => fingerprint(inTimeOrder(s.movements));

/** humans: every dev-set human session (baseline and held out). Seeds as the bot families'. */
export function replayCheck(humans, split) {
  const prints = humans.map(printOf);
  const index = createReplayIndex();
  humans.forEach((s, i) => {
    if (prints[i]) index.add(s.sessionId, encodeFingerprint(prints[i]));
  });
  let caught = 0;
  let eligible = 0;
  humans.forEach((s, i) => {
    const replay = perturbedReplay(s, SPLITS[split] + i);
    const fp = printOf(replay);
    if (!prints[i]) return; // the original is too plain to fingerprint: nothing to match
    eligible++;
    if (fp && index.match(encodeFingerprint(fp)) === s.sessionId) caught++;
  });
  return {
    split,
    replays: humans.length,
    eligible,
    caught,
    caughtShare: eligible ? caught / eligible : null,
    caughtOfAll: humans.length ? caught / humans.length : null,
  };
}

export function falseMatches(humans) {
  const prints = humans.map(printOf).filter(Boolean);
  let pairs = 0;
  let matches = 0;
  for (let i = 0; i < prints.length; i++) {
    for (let j = i + 1; j < prints.length; j++) {
      pairs++;
      if (fingerprintDistance(prints[i], prints[j]) <= MATCH_DISTANCE) matches++;
    }
  }
  return { humans: humans.length, fingerprinted: prints.length, pairs, matches };
}
