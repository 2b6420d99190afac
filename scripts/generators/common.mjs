// Shared pieces of the bot generators (issue 13, part 2): seeded randomness and the session shape.
import { seededRandom } from "../../dist/scoring/random.js";

/** Which seeds a family's dev and hold-out sessions use: disjoint ranges, so never the same bot. */
export const SPLITS = { dev: 1, holdout: 1_000_001 };

export function rng(seed) {
  const r = seededRandom(seed);
  return {
    next: r,
    range: (lo, hi) => lo + (hi - lo) * r(),
    int: (lo, hi) => Math.floor(lo + (hi - lo + 1) * r()),
    pick: (list) => list[Math.floor(r() * list.length)],
    /** Standard normal (Box-Muller). */
    gauss: () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()),
  };
}

export const CANVAS = { w: 800, h: 600 };

export function session(family, seed, movements, clicks) {
  const t0 = movements[0]?.timestamp ?? 0;
  const end = Math.max(movements.at(-1)?.timestamp ?? 0, clicks.at(-1)?.timestamp ?? 0);
  return {
    sessionId: `bot:${family}:${seed}`,
    gameType: "click-targets",
    deviceType: "mouse",
    durationMs: end - t0,
    movements,
    clicks,
    hits: clicks.length,
    misses: 0,
  };
}

/** A game of clicking targets for about `ms`: `move(from, to, t)` returns the points it logs. */
export function playTargets(r, ms, move) {
  let pos = { x: r.range(100, 700), y: r.range(100, 500) };
  let t = r.range(0, 1e6);
  const start = t;
  const movements = [{ x: pos.x, y: pos.y, timestamp: t }];
  const clicks = [];
  while (t - start < ms) {
    const to = { x: r.range(40, CANVAS.w - 40), y: r.range(40, CANVAS.h - 40) };
    const pts = move(pos, to, t);
    if (pts.length === 0) break;
    movements.push(...pts);
    t = pts.at(-1).timestamp;
    pos = pts.at(-1);
    // Aiming, clicking, waiting for the next target; now and then a longer random pause.
    t += r.next() < 0.2 ? r.range(400, 1500) : r.range(60, 400);
    clicks.push({ x: pos.x, y: pos.y, timestamp: t - r.range(20, 50), targetHit: true });
  }
  return { movements, clicks };
}
