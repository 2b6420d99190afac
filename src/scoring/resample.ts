import type { SessionInput } from "../telemetry/features.js";
import { seededRandom } from "./random.js";

/**
 * Re-records a session as another browser would have logged it (issue 3: "resample and jitter
 * the dev humans"): events every `intervalMs` (± `jitterMs`), coalesced to the latest position,
 * none while the pointer rests, coordinates rounded or scaled to fractional CSS pixels.
 */
export interface ResampleOptions {
  intervalMs: number;
  jitterMs?: number;
  /** Round coordinates to whole pixels (most mice) or keep them fractional (high-DPI). */
  integer?: boolean;
  /** Multiplies coordinates, e.g. 1/1.5 for a devicePixelRatio of 1.5. */
  scale?: number;
  seed?: number;
}

type Move = SessionInput["movements"][number];

/** Longer gaps mean the pointer rested there; shorter ones are one continuous motion. */
const REST_GAP_MS = 50;

function positionAt(moves: readonly Move[], j: number, t: number): { x: number; y: number } {
  const a = moves[j]!;
  const b = moves[j + 1];
  if (!b || b.timestamp - a.timestamp > REST_GAP_MS || t <= a.timestamp) return a;
  const f = Math.min(1, (t - a.timestamp) / (b.timestamp - a.timestamp));
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

export function resampleSession(s: SessionInput, opts: ResampleOptions): SessionInput {
  const moves = [...s.movements].sort((a, b) => a.timestamp - b.timestamp);
  if (moves.length < 2) return s;
  const rand = seededRandom(opts.seed ?? 1);
  const jitter = opts.jitterMs ?? 0;
  const scale = opts.scale ?? 1;
  const round = (v: number) => (opts.integer ? Math.round(v * scale) : v * scale);
  const out: Move[] = [];
  const end = moves.at(-1)!.timestamp;
  let j = 0;
  let lastT = -Infinity;
  for (let k = 0; ; k++) {
    const grid = moves[0]!.timestamp + k * opts.intervalMs;
    if (grid > end + opts.intervalMs) break;
    const t = Math.max(lastT + 0.1, grid + (rand() * 2 - 1) * jitter);
    while (j + 1 < moves.length && moves[j + 1]!.timestamp <= t) j++;
    const p = positionAt(moves, j, t);
    const x = round(p.x);
    const y = round(p.y);
    const prev = out.at(-1);
    if (prev && prev.x === x && prev.y === y) continue;
    out.push({ x, y, timestamp: Math.round(t * 10) / 10 });
    lastT = t;
  }
  const clicks = s.clicks.map((c) => ({ ...c, x: round(c.x), y: round(c.y) }));
  return { ...s, movements: out, clicks };
}
