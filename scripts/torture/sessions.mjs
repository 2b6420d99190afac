// The torture run's sessions: seeded humans from the bench generator (scripts/bench/gen.mjs)
// and scripted bots (straight lines at constant speed, exact 16 ms sampling, as in
// test/support/sessions.ts), every one with features of its own, so a result computed from
// another session's payload cannot pass the wrong-payload check by coincidence.

import { seededRandom as rng } from "../../dist/scoring/random.js";
import { session as benchSession } from "../bench/gen.mjs";

/** A bot: the human's start point, then a straight line; speed and length vary per session. */
function bot(human, r) {
  const start = human.movements[0];
  const n = 40 + Math.floor(r() * 80);
  const dx = 2 + r() * 8;
  const dy = (r() - 0.5) * 6;
  const movements = [];
  for (let k = 0; k < n; k++) {
    movements.push({
      x: Math.round((start.x + k * dx) * 100) / 100,
      y: Math.round((start.y + k * dy) * 100) / 100,
      timestamp: k * 16,
      isTrusted: true,
    });
  }
  const last = movements[n - 1];
  return {
    ...human,
    durationMs: last.timestamp,
    movements,
    clicks: [
      { x: Math.round(last.x), y: Math.round(last.y), timestamp: last.timestamp, targetHit: true },
    ],
  };
}

/** `count` sessions for `seed`; about `botShare` of them bots. Ids carry the seed and index. */
export function tortureSessions(count, seed, botShare = 0.3) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const points = 30 + Math.floor(r() * 90);
    const human = benchSession(seed * 100_003 + i, points);
    const s = r() < botShare ? bot(human, r) : human;
    out.push({ ...s, sessionId: `t${seed}_${i}`, userId: `u_${i % 53}` });
  }
  return out;
}
