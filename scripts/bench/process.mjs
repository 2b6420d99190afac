// process throughput (issue 4): the local engine, Woodwide through the loopback fake at zero
// latency (both modes), and building the batch CSVs alone, on the same queue contents.
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildBatchCsv } from "../../dist/batch/csv.js";
import { openQueueStore } from "../../dist/queue/store.js";
import { measure } from "./measure.mjs";

export async function benchProcess({ root, work, seedQueue, sessions, batchSize = 50 }) {
  const bin = join(root, "bin", "playproof-batch.js");
  const { startFakeWoodwide } = await import(
    join(root, ".bench", "fake", "test", "support", "fake-woodwide.js")
  );
  const rows = [];
  const fresh = async (name) => {
    const q = join(work, `process-${name}.jsonl`);
    await rm(q, { force: true });
    await copyFile(seedQueue, q);
    return q;
  };
  const csvOnly = await timeCsv(seedQueue, batchSize);
  rows.push({
    run: "build CSVs only (no engine, no writes)",
    sessions,
    "sessions/s": Math.round(sessions / csvOnly),
  });
  const local = measure("node", [bin, "process", "--engine", "local", "--quiet"], {
    PLAYPROOF_QUEUE: await fresh("local"),
  });
  rows.push({
    run: "process --engine local",
    sessions,
    "sessions/s": Math.round(sessions / local.seconds),
    "RSS MiB": Math.round(local.rssMiB),
  });
  for (const mode of ["direct", "dataset"]) {
    const fake = await startFakeWoodwide({ latencyMs: 0, ingestPolls: 0, inferPolls: 0 });
    try {
      const env = {
        PLAYPROOF_QUEUE: await fresh(mode),
        PLAYPROOF_CONFIG_DIR: join(work, `config-${mode}`),
        WOODWIDE_API_KEY: fake.apiKey,
        WOODWIDE_BASE_URL: fake.url,
        PLAYPROOF_MODEL_ID: fake.defaultModelId,
      };
      const r = await measureAsync(
        bin,
        ["process", "--engine", "woodwide", "--mode", mode, "--quiet"],
        env,
      );
      rows.push({
        run: `process --engine woodwide --mode ${mode} (fake, 0 ms)`,
        sessions,
        "sessions/s": Math.round(sessions / r),
        requests: fake.requests.length,
      });
    } finally {
      await fake.close();
    }
  }
  return rows;
}

/** The fake runs in this process, so the child must not block it: spawn asynchronously. */
async function measureAsync(bin, args, env) {
  const { spawn } = await import("node:child_process");
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn("node", [bin, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`process exited ${code}`)),
    );
  });
  return (performance.now() - t0) / 1000;
}

async function timeCsv(queue, batchSize) {
  const store = openQueueStore({ path: queue });
  const state = await store.refresh();
  const recs = [...state.sessions.values()];
  const t0 = performance.now();
  for (let i = 0; i < recs.length; i += batchSize) {
    const rows = await Promise.all(recs.slice(i, i + batchSize).map((r) => store.readSession(r)));
    buildBatchCsv(rows);
  }
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  return seconds;
}
