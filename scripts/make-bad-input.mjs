#!/usr/bin/env node
// Writes the large members of fixtures/bad-input (listed there in expected.json with
// "generated": true). They are tens of MB, so they are built at test time, never committed.
// Usage: node scripts/make-bad-input.mjs DIR
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const MiB = 1024 * 1024;

function small(sessionId) {
  return JSON.stringify({
    sessionId,
    gameType: "bubble-pop",
    deviceType: "mouse",
    movements: [
      { x: 1, y: 2, timestamp: 0 },
      { x: 3, y: 5, timestamp: 16 },
    ],
  });
}

/** A session of `count` movements, padded with an unknown field to exactly `bytes` if given. */
function big(sessionId, count, bytes) {
  const points = [];
  for (let i = 0; i < count; i++) {
    points.push(
      `{"x":${(i * 7) % 1920},"y":${(i * 13) % 1080},"timestamp":${i * 8},"isTrusted":true}`,
    );
  }
  const head = `{"sessionId":"${sessionId}","gameType":"bubble-pop","deviceType":"mouse","movements":[${points.join(",")}]`;
  if (bytes === undefined) return `${head}}`;
  const pad = bytes - head.length - ',"padding":""}'.length;
  if (pad < 0) throw new Error(`${sessionId}: ${count} points do not fit in ${bytes} bytes`);
  return `${head},"padding":"${"p".repeat(pad)}"}`;
}

async function write(path, lines) {
  const out = createWriteStream(path);
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Writes the generated corpus files into `dir`; returns their names. */
export async function makeBadInput(dir) {
  await mkdir(dir, { recursive: true });
  const files = {
    // Valid and under every cap: a 10 MiB line is read and enqueued like any other.
    "huge-line-valid.ndjson": () => [big("huge-10mib", 150_000, 10 * MiB), small("huge-after")],
    // Over the 16 MiB record cap: skipped without being held, the lines around it still read.
    "huge-line-over-cap.ndjson": () => [
      small("cap-before"),
      big("cap-17mib", 100_000, 17 * MiB),
      small("cap-after"),
    ],
    // At and one past the 200,000-movement cap (each line about 11 MB, under the byte cap).
    "over-movement-cap.ndjson": () => [
      big("movecap-over", 200_001),
      big("movecap-exact", 200_000),
      small("movecap-after"),
    ],
  };
  for (const [name, lines] of Object.entries(files)) await write(join(dir, name), lines());
  return Object.keys(files);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node scripts/make-bad-input.mjs DIR");
    process.exit(2);
  }
  for (const name of await makeBadInput(dir)) console.log(join(dir, name));
}
