// WindMouse-style physics (gravity towards the target, a wandering wind, a speed cap), aimed at a
// point past the target so it overshoots, then a slower correcting move back onto it.
import { playTargets, rng, session } from "./common.mjs";

function windMouse(r, from, to, t0, o) {
  let { x, y } = from;
  let vx = 0;
  let vy = 0;
  let wx = 0;
  let wy = 0;
  let t = t0;
  const out = [];
  const sqrt3 = Math.sqrt(3);
  const sqrt5 = Math.sqrt(5);
  for (let guard = 0; guard < 2000; guard++) {
    const dist = Math.hypot(to.x - x, to.y - y);
    if (dist < 1) break;
    const wind = Math.min(o.wind, dist);
    if (dist >= o.damped) {
      wx = wx / sqrt3 + ((2 * r.next() - 1) * wind) / sqrt5;
      wy = wy / sqrt3 + ((2 * r.next() - 1) * wind) / sqrt5;
    } else {
      wx /= sqrt3;
      wy /= sqrt3;
    }
    vx += wx + (o.gravity * (to.x - x)) / dist;
    vy += wy + (o.gravity * (to.y - y)) / dist;
    const v = Math.hypot(vx, vy);
    const cap = dist < o.damped ? Math.max(3, o.maxStep * r.range(0.3, 0.7)) : o.maxStep;
    if (v > cap) {
      const s = cap / 2 + (r.next() * cap) / 2;
      vx = (vx / v) * s;
      vy = (vy / v) * s;
    }
    x += vx;
    y += vy;
    t += o.stepMs * r.range(0.6, 1.4);
    out.push({ x: Math.round(x), y: Math.round(y), timestamp: Math.round(t) });
  }
  return out;
}

export function windMouseBot(seed) {
  const r = rng(seed);
  const o = {
    gravity: r.range(7, 11),
    wind: r.range(2, 5),
    maxStep: r.range(10, 22),
    damped: r.range(8, 14),
    stepMs: r.range(6, 14),
  };
  const { movements, clicks } = playTargets(r, r.range(5000, 10000), (from, to, t0) => {
    const over = r.range(0.04, 0.15);
    const past = { x: to.x + (to.x - from.x) * over, y: to.y + (to.y - from.y) * over };
    const first = windMouse(r, from, past, t0, o);
    const at = first.at(-1) ?? { ...from, timestamp: t0 };
    const back = windMouse(r, at, to, at.timestamp + r.range(30, 120), {
      ...o,
      maxStep: o.maxStep / 3,
    });
    return [...first, ...back];
  });
  return session("windmouse", seed, movements, clicks);
}
