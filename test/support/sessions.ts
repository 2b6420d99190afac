import { seededRandom } from "../../src/scoring/random.js";

export interface GenOptions {
  points?: number;
  /** A scripted bot: straight line at constant speed, exact 16 ms sampling. */
  bot?: boolean;
  /** Scale of movement speed; large values make "impossible" speeds. */
  speed?: number;
  prefix?: string;
}

/** A deterministic session in the design.md input shape (seeded by its index). */
export function makeSession(i: number, o: GenOptions = {}) {
  const rand = seededRandom(i + 1);
  const n = o.points ?? 40;
  const speed = o.speed ?? 1;
  const movements: { x: number; y: number; timestamp: number; isTrusted: boolean }[] = [];
  let x = 100 + rand() * 400;
  let y = 100 + rand() * 300;
  let t = 0;
  for (let k = 0; k < n; k++) {
    movements.push({
      x: Math.round(x * 10) / 10,
      y: Math.round(y * 10) / 10,
      timestamp: t,
      isTrusted: true,
    });
    if (o.bot) {
      x += 5 * speed;
      y += 3 * speed;
      t += 16;
    } else {
      x += (rand() - 0.3) * 12 * speed;
      y += (rand() - 0.4) * 9 * speed;
      t += 8 + Math.floor(rand() * 25);
    }
  }
  return {
    sessionId: `${o.prefix ?? "s"}_${i}`,
    userId: `u_${i % 97}`,
    deploymentId: "d_1",
    gameType: "bubble-pop",
    deviceType: "mouse",
    durationMs: t,
    movements,
    clicks: [{ x: Math.round(x), y: Math.round(y), timestamp: t, targetHit: true }],
    hits: 1,
    misses: 0,
  };
}

export function ndjson(count: number, o: GenOptions = {}, start = 0): string {
  let out = "";
  for (let i = start; i < start + count; i++) out += `${JSON.stringify(makeSession(i, o))}\n`;
  return out;
}
