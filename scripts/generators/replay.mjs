// Replays of recorded human traces (issue 13, parts 2 and 3): the same gesture moved, scaled,
// jittered, thinned or re-sampled and shifted in time, as a bot replaying a capture would.
import { resampleSession } from "../../dist/scoring/resample.js";
import { rng } from "./common.mjs";

export function perturbedReplay(human, seed) {
  const r = rng(seed);
  const dx = r.range(-200, 200);
  const dy = r.range(-150, 150);
  const k = r.range(0.8, 1.25);
  const shift = r.range(-1e7, 1e7);
  const jitter = r.range(0, 1.5);
  const drop = r.range(0, 0.3);
  const moved = (p) => ({
    ...p,
    x: p.x * k + dx + jitter * r.gauss(),
    y: p.y * k + dy + jitter * r.gauss(),
    timestamp: p.timestamp + shift,
  });
  let movements = human.movements
    .filter((_, i, a) => i === 0 || i === a.length - 1 || r.next() >= drop)
    .map(moved);
  let replay = {
    ...human,
    sessionId: `replay:${human.sessionId}:${seed}`,
    movements,
    clicks: human.clicks.map(moved),
  };
  if (r.next() < 0.4)
    replay = resampleSession(replay, { intervalMs: r.pick([4, 8, 16, 33]), jitterMs: 1, seed });
  movements = replay.movements.map((p) => ({
    ...p,
    x: Math.round(p.x * 100) / 100,
    y: Math.round(p.y * 100) / 100,
  }));
  return { ...replay, movements };
}
