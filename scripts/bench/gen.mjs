// Writes N deterministic sessions of about `points` pointer events each, as NDJSON.

import { once } from "node:events";
import { createWriteStream } from "node:fs";

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function session(i, points) {
  const r = rng(i + 1);
  const movements = new Array(points);
  let x = 100 + r() * 500;
  let y = 100 + r() * 300;
  let t = 0;
  for (let k = 0; k < points; k++) {
    movements[k] = {
      x: Math.round(x * 100) / 100,
      y: Math.round(y * 100) / 100,
      timestamp: t,
      isTrusted: true,
    };
    x += (r() - 0.45) * 14;
    y += (r() - 0.5) * 10;
    t += 8 + Math.floor(r() * 20);
  }
  return {
    sessionId: `bench_${i}`,
    userId: `u_${i % 1000}`,
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

export async function writeSessions(path, count, points) {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${JSON.stringify(session(i, points))}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
