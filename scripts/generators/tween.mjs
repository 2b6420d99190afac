// pyautogui-style tweened moves: a Bézier path walked by an easing function over a random
// duration, logged at the tween's tick, with random pauses between moves.
import { playTargets, rng, session } from "./common.mjs";

const EASINGS = {
  easeInOutQuad: (u) => (u < 0.5 ? 2 * u * u : 1 - (-2 * u + 2) ** 2 / 2),
  easeOutCubic: (u) => 1 - (1 - u) ** 3,
  easeInOutSine: (u) => -(Math.cos(Math.PI * u) - 1) / 2,
  easeOutQuart: (u) => 1 - (1 - u) ** 4,
  easeInOutCubic: (u) => (u < 0.5 ? 4 * u ** 3 : 1 - (-2 * u + 2) ** 3 / 2),
  linear: (u) => u,
};

function bezier(p0, p1, p2, p3, u) {
  const v = 1 - u;
  const a = v ** 3;
  const b = 3 * v * v * u;
  const c = 3 * v * u * u;
  const d = u ** 3;
  return {
    x: a * p0.x + b * p1.x + c * p2.x + d * p3.x,
    y: a * p0.y + b * p1.y + c * p2.y + d * p3.y,
  };
}

export function tweenBezier(seed) {
  const r = rng(seed);
  const ease = EASINGS[r.pick(Object.keys(EASINGS))];
  const tick = r.pick([5, 10, 16, 20]);
  const integer = r.next() < 0.7;
  const { movements, clicks } = playTargets(r, r.range(5000, 10000), (from, to, t0) => {
    const bend = r.range(0.05, 0.4);
    const nx = -(to.y - from.y) * bend * (r.next() < 0.5 ? -1 : 1);
    const ny = (to.x - from.x) * bend;
    const p1 = {
      x: from.x + (to.x - from.x) / 3 + nx * r.next(),
      y: from.y + (to.y - from.y) / 3 + ny * r.next(),
    };
    const p2 = {
      x: from.x + (2 * (to.x - from.x)) / 3 + nx * r.next(),
      y: from.y + (2 * (to.y - from.y)) / 3 + ny * r.next(),
    };
    const duration = r.range(200, 1500);
    const out = [];
    for (let el = tick; el <= duration + tick / 2; el += tick) {
      const p = bezier(from, p1, p2, to, ease(Math.min(1, el / duration)));
      const t = t0 + el + r.range(0, 1.5); // the scheduler's sleep overshoots a little
      out.push({
        x: integer ? Math.round(p.x) : p.x,
        y: integer ? Math.round(p.y) : p.y,
        timestamp: Math.round(t * 10) / 10,
      });
    }
    return out;
  });
  return session("tween-bezier", seed, movements, clicks);
}
