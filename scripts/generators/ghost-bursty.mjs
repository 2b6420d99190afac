// ghost-cursor-style paths: a Bézier curve with a random spread of its control points, a point
// count from Fitts' law, an overshoot and a return; events timed irregularly, in bursts (several
// events within a few ms, then a gap), as a page's event loop delivers a busy script's moves.
import { playTargets, rng, session } from "./common.mjs";

function curve(r, from, to, n) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.hypot(dx, dy) || 1;
  const spread = Math.min(200, Math.max(2, len * r.range(0.1, 0.5)));
  const side = () => r.range(-spread, spread);
  const c1 = {
    x: from.x + dx * r.range(0.2, 0.45) + (-dy / len) * side(),
    y: from.y + dy * r.range(0.2, 0.45) + (dx / len) * side(),
  };
  const c2 = {
    x: from.x + dx * r.range(0.55, 0.8) + (-dy / len) * side(),
    y: from.y + dy * r.range(0.55, 0.8) + (dx / len) * side(),
  };
  const out = [];
  for (let i = 1; i <= n; i++) {
    const u = i / n;
    const v = 1 - u;
    out.push({
      x: v ** 3 * from.x + 3 * v * v * u * c1.x + 3 * v * u * u * c2.x + u ** 3 * to.x,
      y: v ** 3 * from.y + 3 * v * v * u * c1.y + 3 * v * u * u * c2.y + u ** 3 * to.y,
    });
  }
  return out;
}

export function ghostBursty(seed) {
  const r = rng(seed);
  const { movements, clicks } = playTargets(r, r.range(5000, 10000), (from, to, t0) => {
    const dist = Math.hypot(to.x - from.x, to.y - from.y);
    const fitts = Math.log2(dist / 30 + 1);
    const n = Math.max(12, Math.round(r.range(20, 40) * (0.6 + fitts / 3)));
    let pts = curve(r, from, to, n);
    if (r.next() < 0.5 && dist > 150) {
      const over = { x: to.x + r.range(-40, 40), y: to.y + r.range(-40, 40) };
      pts = [...curve(r, from, over, n), ...curve(r, over, to, Math.round(n / 3))];
    }
    let t = t0;
    return pts.map((p) => {
      t += r.next() < 0.7 ? r.range(0.2, 3) : r.range(15, 70);
      return {
        x: Math.round(p.x * 100) / 100,
        y: Math.round(p.y * 100) / 100,
        timestamp: Math.round(t * 10) / 10,
      };
    });
  });
  return session("ghost-bursty", seed, movements, clicks);
}
