// Who runs during a torture run, and with which settings.
import { join } from "node:path";

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
  const slice = Math.ceil(sessions.length / 4);
  // About one wave every 3 s per enqueuer over the first 60% of the phase.
  const wave = Math.max(1, Math.ceil(slice / Math.max(1, Math.round((phaseMs * 0.6) / 3000))));
  for (let e = 0; e < 4; e++)
    sup.add(enqueuer(`enqueue-${e}`, sessions.slice(e * slice, (e + 1) * slice)));

  function enqueuer(name, mine) {
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
    // Waves are spread over the first 60% of the kill phase, so sessions arrive while the
    // processors run; a killed run pipes the same wave again (enqueue is idempotent by id).
    return {
      name,
      env: localEnv,
      args: () => ["enqueue", "--quiet"],
      input: () => waves[next],
      gate: () => Date.now() - start >= (next / waves.length) * phaseMs * 0.6,
      onExit: (code) => {
        if (code === 0) next++;
      },
      pauseMs: [0, 200],
      finishAfterStop: true,
    };
  }

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
    args: () => [
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
    ],
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
