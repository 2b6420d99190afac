/**
 * Issue 8, defect 2: quarantine keeps whole lines, and operators can list and restore the
 * sessions they hold (a one-byte flip in an event type used to remove a session for good).
 */
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { inProcessWorld } from "../support/process-world.js";
import { makeSession } from "../support/sessions.js";

const ndjson = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => JSON.stringify(makeSession(from + k)))
    .map((l) => `${l}\n`)
    .join("");

async function flip(queue: string, id: string, from: string, to: string) {
  const lines = (await readFile(queue, "utf8")).split("\n");
  const i = lines.findIndex((l) => l.includes(`"id":"${id}"`) && l.includes(from));
  expect(i).toBeGreaterThanOrEqual(0);
  lines[i] = lines[i]!.replace(from, to);
  await writeFile(queue, lines.join("\n"));
  return lines[i]!;
}

describe("quarantine list and restore", () => {
  it("restores the session of a line whose event type lost one byte, exactly", async () => {
    const w = await inProcessWorld();
    expect((await w.run(["enqueue"], ndjson(0, 3))).code).toBe(0);
    const before = JSON.parse((await w.run(["result", "s_1", "--json"])).stdout);
    const damaged = await flip(w.queue, "s_1", '"t":"enqueue"', '"t":"enZueue"');

    expect((await w.run(["enqueue"], ndjson(3, 4))).code).toBe(0); // a writer quarantines it
    expect((await w.run(["result", "s_1"])).code).toBe(3);
    const listed = await w.run(["quarantine", "list", "--json"]);
    expect(listed.code).toBe(0);
    const { items } = JSON.parse(listed.stdout);
    expect(items).toEqual([
      expect.objectContaining({
        entry: 1,
        reason: "corrupt line",
        sessionId: "s_1",
        status: "restorable",
        bytes: Buffer.byteLength(damaged),
      }),
    ]);
    const q = (await readFile(`${w.queue}.quarantine`, "utf8")).trim().split("\n");
    expect(JSON.parse(q[0]!).text).toBe(damaged);

    const restored = await w.run(["quarantine", "restore", "s_1", "--json"]);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toEqual({ restored: ["s_1"], skipped: [] });
    const after = JSON.parse((await w.run(["result", "s_1", "--json"])).stdout);
    expect(after.result).toEqual(before.result);
    expect(after.meta).toEqual(before.meta);

    const again = await w.run(["quarantine", "restore", "--all", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ restored: [], skipped: [] });
    const relisted = JSON.parse((await w.run(["quarantine", "list", "--json"])).stdout);
    expect(relisted.items.map((i: { status: string }) => i.status)).toEqual(["in queue"]);
  });

  it("says why a torn line cannot come back, and exits 65 when asked for it", async () => {
    const w = await inProcessWorld();
    expect((await w.run(["enqueue"], ndjson(0, 1))).code).toBe(0);
    const line = JSON.stringify({ t: "enqueue", at: 1, id: "s_torn", x: { features: {} } });
    await appendFile(w.queue, line.slice(0, 40));
    expect((await w.run(["enqueue"], ndjson(1, 2))).code).toBe(0); // repairs the torn tail
    const { items } = JSON.parse((await w.run(["quarantine", "list", "--json"])).stdout);
    expect(items).toEqual([
      expect.objectContaining({
        reason: "torn last line",
        sessionId: "s_torn",
        status: "not restorable",
        why: "no whole payload (torn or damaged line)",
      }),
    ]);
    const r = await w.run(["quarantine", "restore", "s_torn", "s_nowhere"]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/not restored: s_torn: no whole payload/);
    expect(r.stderr).toMatch(/not restored: s_nowhere: not in the quarantine file/);
    expect((await w.run(["quarantine", "restore"])).code).toBe(2);
  });
});
