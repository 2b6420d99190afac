// The generated families of issue 13, part 2, and their seeded dev / hold-out split.
import { SPLITS } from "./common.mjs";
import { ghostBursty } from "./ghost-bursty.mjs";
import { DEVICE_QUIRKS, withQuirk } from "./quirks.mjs";
import { tweenBezier } from "./tween.mjs";
import { windMouseBot } from "./windmouse.mjs";

export const BOT_FAMILIES = {
  "bot-gen-tween-bezier": tweenBezier,
  "bot-gen-windmouse": windMouseBot,
  "bot-gen-ghost-bursty": ghostBursty,
  // One of the three above, logged through a real device's sampling.
  "bot-gen-device-quirks": (seed) => {
    const make = [tweenBezier, windMouseBot, ghostBursty][seed % 3];
    const names = Object.keys(DEVICE_QUIRKS);
    return withQuirk(make(seed), names[Math.floor(seed / 3) % names.length], seed);
  },
};

/** `n` sessions of every family for one split ("dev" to tune on, "holdout" to judge). */
export function generateBots(split, n) {
  const first = SPLITS[split];
  return Object.entries(BOT_FAMILIES).map(([name, make]) => ({
    name,
    sessions: Array.from({ length: n }, (_, i) => make(first + i)),
  }));
}
