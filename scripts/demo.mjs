// npm run demo: enqueue the sample sessions and score them offline with the embedded model,
// on a queue of its own (.demo/), then show stats and a few results. Touches no user settings.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const demo = join(root, ".demo");
rmSync(demo, { recursive: true, force: true });
const env = {
  ...process.env,
  PLAYPROOF_QUEUE: join(demo, "queue.jsonl"),
  PLAYPROOF_CONFIG_DIR: join(demo, "config"),
  WOODWIDE_API_KEY: "",
  PLAYPROOF_MODEL_ID: "",
};
const sample = join(root, "fixtures", "sample-sessions.ndjson");
const run = (args, input, echo = true) => {
  if (echo)
    console.log(
      `\n$ playproof-batch ${args.join(" ")}${input ? " < fixtures/sample-sessions.ndjson" : ""}`,
    );
  const out = execFileSync("node", [join(root, "bin", "playproof-batch.js"), ...args], {
    env,
    input,
    stdio: ["pipe", "pipe", "inherit"],
    encoding: "utf8",
  });
  return out;
};
process.stdout.write(run(["enqueue"], readFileSync(sample)));
process.stdout.write(run(["process", "--engine", "local"]));
process.stdout.write(run(["stats"]));
const ids = readFileSync(sample, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l).sessionId);
console.log("\n$ playproof-batch result ID --json   (for each sample session)");
console.log(
  "session                                              decision  anomalyScore  source  reasons",
);
for (const id of ids) {
  const r = JSON.parse(run(["result", id, "--json"], undefined, false).trim());
  console.log(
    `${id.padEnd(52)} ${r.result.decision.padEnd(9)} ${r.result.anomalyScore.toFixed(2).padStart(12)}  ${r.result.source.padEnd(7)} ${r.result.reasons.join(",")}`,
  );
}
console.log(`\nqueue: ${env.PLAYPROOF_QUEUE} (labels are in the session ids: human or bot)`);
