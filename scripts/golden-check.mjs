// Issue 10: `npm run eval` checks that features, feature sets, replay fingerprints and scores over
// the whole dev set are bit-identical to fixtures/golden/devset.json (computed before the speed-ups
// by scripts/golden-features.mjs; the file names its commit).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_EVAL_DIR, listFiles, PACKAGE_ROOT } from "./eval-data.mjs";
import { devsetParts } from "./golden-api.mjs";
import { overallDigest } from "./golden-digest.mjs";

export async function checkDevsetDigest(dir = DEFAULT_EVAL_DIR) {
  const pinned = JSON.parse(
    readFileSync(join(PACKAGE_ROOT, "fixtures", "golden", "devset.json"), "utf8"),
  );
  const files = listFiles([], dir);
  const names = files.map((f) => f.split("/").at(-1));
  const parts = await devsetParts(files);
  const digest = overallDigest(parts);
  const sameFiles = JSON.stringify(names) === JSON.stringify(pinned.files);
  const ok = sameFiles && parts.length === pinned.sessions && digest === pinned.digest;
  const what = `${parts.length} sessions, digest ${digest.slice(0, 16)}`;
  const message = ok
    ? `golden digest (issue 10): identical to ${pinned.commit.slice(0, 10)}'s (${what})`
    : `golden digest (issue 10): DIFFERS from ${pinned.commit.slice(0, 10)}'s ${pinned.digest.slice(0, 16)} over ${pinned.sessions} sessions (${what}${sameFiles ? "" : ", other files"})`;
  return { ok, digest, sessions: parts.length, pinned: pinned.digest, message };
}
