/**
 * Issue 9, item 4: a Woodwide that cannot be reached (a wrong base URL, a network outage) is
 * not the batch's fault: exit 69 naming host:port, no attempt spent, nothing dead-lettered,
 * however often it happens.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { openQueueStore } from "../../src/queue/store.js";
import { inProcessWorld, mixedSessions } from "../support/process-world.js";

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("an unreachable Woodwide", () => {
  it("exits 69 naming host:port and spends no attempt, run after run", async () => {
    const port = await closedPort();
    const w = await inProcessWorld({
      WOODWIDE_API_KEY: "ww_test_key_0123456789",
      WOODWIDE_BASE_URL: `http://127.0.0.1:${port}`,
      PLAYPROOF_MODEL_ID: "m_1",
    });
    expect(
      (
        await w.run(
          ["enqueue"],
          mixedSessions(3, () => false),
        )
      ).code,
    ).toBe(0);
    for (let run = 0; run < 3; run++) {
      const r = await w.run(["process", "--attempts", "1"]);
      expect(r.code).toBe(69);
      expect(r.stderr).toContain(`could not reach 127.0.0.1:${port} (ECONNREFUSED)`);
    }
    const store = openQueueStore({ path: w.queue });
    const state = await store.refresh();
    await store.close();
    expect([...state.sessions.values()].map((r) => [r.status, r.attempts])).toEqual([
      ["queued", 0],
      ["queued", 0],
      ["queued", 0],
    ]);
    expect(state.totals).toMatchObject({ dead: 0, retries: 0, failures: { unreachable: 3 } });
  });
});
