// Who runs during a torture run, and with which settings.
import { join } from "node:path";

/** `watch` as both runs start it: Woodwide in dataset mode against the flaky fake. */
const WATCH_ARGS = [
  "watch",
  "--engine",
  "woodwide",
  "--mode",
  "dataset",
  "--interval",
  "1s",
  "--min-batch",
  "5",
  "--max-wait",
  "3s",
  "--lease",
  "2s",
  "--attempts",
  "3",
  "--batch-size",
  "10",
  "--shutdown-timeout",
  "2s",
  "--log-format",
  "json",
];

/**
 * 4 enqueuers, each piping its own slice of `sessions` into `enqueue` in waves spread over the
 * first 60% of the phase (about one every 3 s each), so sessions arrive while the processors
 * run; a killed or failed run pipes the same wave again (enqueue is idempotent by id).
 */
export function addEnqueuers(sup, { env, sessions, phaseMs, start, killWeight }) {
  const slice = Math.ceil(sessions.length / 4);
  const wave = Math.max(1, Math.ceil(slice / Math.max(1, Math.round((phaseMs * 0.6) / 3000))));
  for (let e = 0; e < 4; e++) {
    const mine = sessions.slice(e * slice, (e + 1) * slice);
    const waves = [];
    for (let i = 0; i < mine.length; i += wave) {
      waves.push(
        mine
          .slice(i, i + wave)
          .map((s) => `${JSON.stringify(s)}\n`)
          .join(""),
      );
    }
    let next = 0;
    sup.add({
      name: `enqueue-${e}`,
      env,
      args: () => ["enqueue", "--quiet"],
      input: () => waves[next],
      gate: () => Date.now() - start >= (next / waves.length) * phaseMs * 0.6,
      onExit: (code) => {
        if (code === 0) next++;
      },
      pauseMs: [0, 200],
      finishAfterStop: true,
      ...(killWeight === undefined ? {} : { killWeight }),
    });
  }
}

/** 4 enqueuers, local and Woodwide processors, the defect-1 processor, a watch, compactions. */
export function addRoles(
  sup,
  { dir, baseEnv, sessions, fakes, phaseMs, compactEveryMs, defect1, start },
) {
  const woodwideEnv = (name, fake, modelId) => ({
    ...baseEnv,
    PLAYPROOF_CONFIG_DIR: join(dir, `config-${name}`),
    WOODWIDE_API_KEY: fake.apiKey,
    WOODWIDE_BASE_URL: fake.url,
    PLAYPROOF_MODEL_ID: modelId,
  });
  const localEnv = { ...baseEnv, PLAYPROOF_CONFIG_DIR: join(dir, "config-local") };
  addEnqueuers(sup, { env: localEnv, sessions, phaseMs, start });

  sup.add({
    name: "process-local",
    env: localEnv,
    args: () => ["process", "--engine", "local", "--lease", "2s", "--batch-size", "5", "--quiet"],
    // Slower than the Woodwide processors, so every engine gets its share of the sessions.
    pauseMs: [1000, 2500],
  });
  sup.add({
    name: "process-woodwide",
    env: woodwideEnv("woodwide", fakes.flaky, fakes.model.id),
    args: () => [
      "process",
      "--engine",
      "woodwide",
      "--mode",
      "direct",
      "--lease",
      "2s",
      "--batch-size",
      "5",
      "--attempts",
      "3",
      "--quiet",
    ],
    pauseMs: [200, 600],
  });
  // Issue 8, defect 1: batches in flight for 3 s while compactions replace the file. Several of
  // them, killed less often, so a short run dead-letters enough sessions this way to catch it.
  for (let i = 0; i < defect1; i++) {
    const name = `process-defect1-${i}`;
    sup.add({
      name,
      env: woodwideEnv(name, fakes.down, fakes.down.defaultModelId),
      args: () => [
        "process",
        "--engine",
        "woodwide",
        "--attempts",
        "1",
        "--lease",
        "1s",
        "--batch-size",
        "1",
        "--quiet",
      ],
      pauseMs: [100, 400],
      killWeight: 0.15,
    });
  }
  sup.add({
    name: "watch",
    env: woodwideEnv("watch", fakes.flaky, fakes.model.id),
    args: () => [...WATCH_ARGS],
    stopSignal: "SIGTERM",
    pauseMs: [100, 300],
    killWeight: 0.5,
  });
  sup.add({
    // Removes nothing (no session is 100000 h old) and compacts: clear always compacts.
    name: "compact",
    env: localEnv,
    args: () => ["clear", "--processed", "--older-than", "100000h", "--yes", "--quiet"],
    pauseMs: [compactEveryMs / 2, (compactEveryMs * 3) / 2],
  });
}

/**
 * The Redis run (issue 11): 4 enqueuers, two `process` loops (local, and Woodwide direct
 * against the flaky fake) and a `watch` (Woodwide dataset), each a separate CLI process on one
 * Redis queue, as on several hosts. Their --json output is handed to `onReport` (a finished
 * `process` prints one summary; `watch` a line per batch), to count results dropped as taken
 * over.
 */
export function addRedisRoles(sup, { dir, baseEnv, sessions, fakes, phaseMs, start, onReport }) {
  const env = (name, extra = {}) => ({
    ...baseEnv,
    PLAYPROOF_CONFIG_DIR: join(dir, `config-${name}`),
    ...extra,
  });
  const woodwide = (fake, modelId) => ({
    WOODWIDE_API_KEY: fake.apiKey,
    WOODWIDE_BASE_URL: fake.url,
    PLAYPROOF_MODEL_ID: modelId,
  });
  const reports = (name) => (text) => {
    for (const line of text.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        onReport(name, JSON.parse(line));
      } catch {} // a line cut by SIGKILL
    }
  };
  // Enqueuers run nearly all the time (processors pause between runs): half weight, so kills
  // still land on processors mid-batch.
  addEnqueuers(sup, { env: env("enqueue"), sessions, phaseMs, start, killWeight: 0.5 });
  sup.add({
    name: "process-local",
    env: env("local"),
    args: () => ["process", "--engine", "local", "--lease", "2s", "--batch-size", "5", "--json"],
    onStdout: reports("process-local"),
    pauseMs: [500, 1500],
  });
  sup.add({
    name: "process-woodwide",
    env: env("woodwide", woodwide(fakes.flaky, fakes.model.id)),
    args: () => [
      "process",
      "--engine",
      "woodwide",
      "--mode",
      "direct",
      "--lease",
      "2s",
      "--batch-size",
      "5",
      "--attempts",
      "3",
      "--json",
    ],
    onStdout: reports("process-woodwide"),
    pauseMs: [200, 600],
  });
  sup.add({
    name: "watch",
    env: env("watch", woodwide(fakes.flaky, fakes.model.id)),
    args: () => [...WATCH_ARGS, "--json"],
    onStdout: reports("watch"),
    stopSignal: "SIGTERM",
    pauseMs: [100, 300],
    killWeight: 0.5,
  });
}
