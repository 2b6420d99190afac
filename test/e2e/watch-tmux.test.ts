/**
 * Issue 5, "must show": `watch` in a real terminal (tmux) against the fake Woodwide. The status
 * line follows sessions as they arrive; Ctrl-C mid-batch lets the batch finish and exits 0;
 * nothing is lost. The screens seen are printed for the closing note (PPB_SHOW_SCREENS=1).
 */
import { afterEach, describe, expect, it } from "vitest";
import { BIN, cliWorld } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { type FakeWoodwide, startFakeWoodwide } from "../support/fake-woodwide.js";
import { finalCounts, journalEvents, woodwideEnv } from "../support/process-world.js";
import { ndjson } from "../support/sessions.js";
import { tmuxSession } from "../support/tmux.js";

let fake: FakeWoodwide | undefined;
let cleanup: (() => Promise<unknown>) | undefined;
afterEach(async () => {
  await cleanup?.();
  await fake?.close();
  fake = cleanup = undefined;
});

const show = (label: string, screen: string) => {
  if (process.env.PPB_SHOW_SCREENS) console.log(`--- ${label}\n${screen.trimEnd()}`);
};

describe("watch in tmux (built binary, fake Woodwide)", () => {
  it("shows the queue live, finishes the batch in flight on Ctrl-C, exits 0, loses nothing", async () => {
    fake = await startFakeWoodwide();
    const w = await cliWorld(woodwideEnv(fake));
    const t = await tmuxSession(w.dir, w.env, [
      process.execPath,
      ...[BIN, "watch", "--interval", "500ms", "--max-wait", "1m"],
    ]);
    cleanup = t.kill;
    const screenMatching = (re: RegExp, what: string, ms = 8_000) =>
      eventually(
        async () => {
          const s = await t.screen();
          return re.test(s) ? s : undefined;
        },
        ms,
        what,
      );

    show("started", await screenMatching(/no batch yet/, "the status line"));
    expect((await w.run(["enqueue"], { input: ndjson(4, { points: 30 }) })).exitCode).toBe(0);
    show("4 arrived", await screenMatching(/due 4 · scored 0/, "4 due"));
    expect((await w.run(["enqueue"], { input: ndjson(8, { points: 30 }, 4) })).exitCode).toBe(0);
    const first = await screenMatching(/due 0 · scored 12 .*last batch .*scored 12/, "12 scored");
    show("12 arrived and were scored", first);
    expect(first).toMatch(/✔ batch \S+: scored, 12 sessions/);

    // Slow answers, so that Ctrl-C lands while the next batch is in flight.
    fake.settings.latencyMs = 400;
    expect((await w.run(["enqueue"], { input: ndjson(10, { points: 30 }, 12) })).exitCode).toBe(0);
    show(
      "batch in flight",
      await screenMatching(/batch 1\/1: scoring with woodwide/, "a batch in flight"),
    );
    await t.keys("C-c");
    show(
      "after Ctrl-C",
      await screenMatching(/stopping: finishing the batch in flight/, "stopping"),
    );
    const status = await eventually(t.exitStatus, 15_000, "watch to exit");
    show("exited", await t.screen());
    expect(status).toBe(0);
    expect(await t.screen()).toMatch(/watch stopped: 2 batch\(es\), 22 session\(s\)/);

    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats).toMatchObject({ sessions: 22, scored: 22, due: 0, inFlight: 0, dead: 0 });
    const counts = finalCounts(await journalEvents(w.queue));
    expect(counts.size).toBe(22);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 40_000);
});
