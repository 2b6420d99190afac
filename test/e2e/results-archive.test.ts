/**
 * Issue 9, items 1 and 2: `results` lists and exports results from the queue and the archive;
 * `result` takes several ids or `-`; `clear` archives what it removes, crash-safely.
 */
import { appendFile, readdir, readFile, stat } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { RESULT_COLUMNS } from "../../src/ops/results.js";
import { describeBackends, libraryView, type TestBackend } from "../support/backends.js";
import { cliWorld } from "../support/cli.js";
import { mixedSessions } from "../support/process-world.js";

const lines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function scoredWorld(b?: TestBackend) {
  const w = await cliWorld({}, b);
  expect((await w.run(["enqueue"], { input: mixedSessions(6, (i) => i % 2 === 0) })).exitCode).toBe(
    0,
  );
  const p = await w.run([
    "process",
    "--engine",
    "local",
    "--batch-size",
    "4",
    "--max-batches",
    "1",
  ]);
  expect(p.exitCode).toBe(0);
  return w;
}

async function archiveLines(dir: string) {
  const files = (await readdir(dir)).filter((f) => f.startsWith("queue.jsonl.archive-"));
  const all = await Promise.all(files.map((f) => readFile(`${dir}/${f}`, "utf8")));
  return { files, records: all.flatMap(lines) };
}

/** The ids in the queue's archive, through its backend (a file's archive files, or Redis). */
async function archivedIds(w: Awaited<ReturnType<typeof cliWorld>>) {
  const q = await libraryView(w.queue, w.env);
  const ids: string[] = [];
  for await (const a of q.internals.store.readArchive()) ids.push(a.sessionId);
  return ids.sort();
}

describeBackends("results and the archive", (b) => {
  it("clear archives what it removes; result and results still find it, unchanged", async () => {
    const w = await scoredWorld(b);
    const before = JSON.parse((await w.run(["result", "s_0", "--json"])).stdout);
    expect(before).toMatchObject({ from: "queue", state: "scored", status: "scored" });

    const cleared = await w.run(["clear", "--processed", "--yes", "--json"]);
    expect(JSON.parse(cleared.stdout)).toEqual({ removed: 4, archived: 4, remaining: 2 });
    expect(await archivedIds(w)).toEqual(["s_0", "s_1", "s_2", "s_3"]);
    if (b.kind === "file") {
      // The file backend's archive: a monthly file beside the queue, private to its owner.
      const month = new Date().toISOString().slice(0, 7);
      const { files, records } = await archiveLines(w.dir);
      expect(files).toEqual([`queue.jsonl.archive-${month}.jsonl`]);
      expect(records.map((r) => r.sessionId).sort()).toEqual(["s_0", "s_1", "s_2", "s_3"]);
      expect((await stat(`${w.dir}/${files[0]}`)).mode & 0o777).toBe(0o600);
    }

    const after = JSON.parse((await w.run(["result", "s_0", "--json"])).stdout);
    expect(after).toEqual({ ...before, from: "archive" });

    const all = lines((await w.run(["results", "--json"])).stdout);
    expect(all.map((r) => [r.sessionId, r.state, r.from])).toEqual([
      ["s_4", "due", "queue"],
      ["s_5", "due", "queue"],
      ["s_0", "scored", "archive"],
      ["s_1", "scored", "archive"],
      ["s_2", "scored", "archive"],
      ["s_3", "scored", "archive"],
    ]);
    const due = lines((await w.run(["results", "--state", "due", "--json"])).stdout);
    expect(due.map((r) => r.sessionId)).toEqual(["s_4", "s_5"]);
    const queueOnly = lines((await w.run(["results", "--no-archive", "--json"])).stdout);
    expect(queueOnly.map((r) => r.sessionId)).toEqual(["s_4", "s_5"]);
    const local = lines((await w.run(["results", "--source", "local", "--json"])).stdout);
    expect(local.map((r) => r.sessionId)).toEqual(["s_0", "s_1", "s_2", "s_3"]);
    const future = await w.run(["results", "--since", "2999-01-01", "--json"]);
    expect(future).toMatchObject({ exitCode: 0, stdout: "" });
    const bad = await w.run(["results", "--state", "lost"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(
      /--state: expected scored, dead, due, in-flight, waiting, removed, got lost/,
    );
  });

  it("exports RFC 4180 CSV with a header and stable columns that csv-parse reads back", async () => {
    const w = await scoredWorld(b);
    const r = await w.run(["results", "--format", "csv"]);
    expect(r.exitCode).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...RESULT_COLUMNS]);
    expect(rows).toHaveLength(6);
    const json = lines((await w.run(["results", "--json"])).stdout);
    for (const [i, row] of rows.entries()) {
      const j = json[i];
      expect(row.sessionId).toBe(j.sessionId);
      expect(Number(row.anomalyScore)).toBe(j.result.anomalyScore);
      expect(row.isAnomaly).toBe(String(j.result.isAnomaly));
      expect(row.decision).toBe(j.result.decision);
      expect(row.reasons).toBe(j.result.reasons.join(";"));
    }
    const empty = await w.run(["results", "--state", "dead", "--format", "csv"]);
    expect(empty.stdout).toBe(RESULT_COLUMNS.join(",")); // execa strips the final newline
  });

  it("result takes several ids or - and exits 3 naming the unknown ones", async () => {
    const w = await scoredWorld(b);
    const many = await w.run(["result", "s_1", "nope", "s_5", "--json"]);
    expect(many.exitCode).toBe(3);
    expect(lines(many.stdout).map((r) => [r.sessionId, r.state ?? r.error])).toEqual([
      ["s_1", "scored"],
      ["nope", "unknown session"],
      ["s_5", "due"],
    ]);
    expect(many.stderr).toMatch(/unknown session: nope \(1 of 3; not in/);
    const piped = await w.run(["result", "-", "--json"], { input: "s_2\n\ns_3\n" });
    expect(piped.exitCode).toBe(0);
    expect(lines(piped.stdout).map((r) => r.sessionId)).toEqual(["s_2", "s_3"]);
    const table = await w.run(["result", "s_2", "s_3"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^sessionId\s+state\s+decision/);
  });

  it("a session enqueued again after it left is archived again: both records stay", async () => {
    const w = await scoredWorld(b);
    expect(JSON.parse((await w.run(["clear", "--processed", "--yes", "--json"])).stdout)).toEqual({
      removed: 4,
      archived: 4,
      remaining: 2,
    });
    const again = await w.run(["enqueue"], { input: mixedSessions(1, () => true) });
    expect(again.stderr).toMatch(/1 accepted, 0 duplicates/);
    expect(JSON.parse((await w.run(["clear", "--yes", "--json"])).stdout)).toEqual({
      removed: 3,
      archived: 3,
      remaining: 0,
    });
    expect(await archivedIds(w)).toEqual(["s_0", "s_0", "s_1", "s_2", "s_3", "s_4", "s_5"]);
    const listed = lines((await w.run(["results", "--json"])).stdout);
    expect(listed.map((r) => `${r.sessionId} ${r.state} ${r.from}`).sort()).toEqual([
      "s_0 removed archive",
      "s_0 scored archive",
      "s_1 scored archive",
      "s_2 scored archive",
      "s_3 scored archive",
      "s_4 removed archive",
      "s_5 removed archive",
    ]);
    // `result` answers the latest record of a session.
    expect(JSON.parse((await w.run(["result", "s_0", "--json"])).stdout)).toMatchObject({
      state: "removed",
      from: "archive",
    });
  });

  it("queue.archive off archives nothing", async () => {
    const off = await scoredWorld(b);
    expect((await off.run(["config", "set", "queue.archive", "off"])).exitCode).toBe(0);
    const r = JSON.parse((await off.run(["clear", "--processed", "--yes", "--json"])).stdout);
    expect(r).toEqual({ removed: 4, archived: 0, remaining: 2 });
    expect(await archivedIds(off)).toEqual([]);
    if (b.kind === "file") expect((await archiveLines(off.dir)).files).toEqual([]);
    expect((await off.run(["result", "s_0"])).exitCode).toBe(3);
  });
});

// The archive's files and the journal's pointer into them: the file backend's own.
describe("results and the archive files", () => {
  it("queue.archive set to a directory moves the archive there", async () => {
    const moved = await scoredWorld();
    const dir = `${moved.dir}/home`;
    expect((await moved.run(["config", "set", "queue.archive", dir])).exitCode).toBe(0);
    expect((await moved.run(["clear", "--processed", "--yes"])).exitCode).toBe(0);
    expect((await archiveLines(dir)).records).toHaveLength(4);
    expect(JSON.parse((await moved.run(["result", "s_3", "--json"])).stdout).from).toBe("archive");
  });

  it("a compaction that died after archiving is redone without duplicates", async () => {
    const w = await scoredWorld();
    const month = new Date().toISOString().slice(0, 7);
    const file = `${w.dir}/queue.jsonl.archive-${month}.jsonl`;
    // What a compaction killed between its archive append and its rename leaves behind: the
    // journal's pointer to the archive's end, and records past it of sessions still queued.
    await appendFile(
      w.queue,
      `${JSON.stringify({ t: "archiving", at: Date.now(), file, size: 0 })}\n`,
    );
    await appendFile(file, `${JSON.stringify({ sessionId: "s_0", status: "scored" })}\n`);
    await appendFile(file, '{"sessionId":"s_1","sta');
    const cleared = JSON.parse((await w.run(["clear", "--processed", "--yes", "--json"])).stdout);
    expect(cleared).toEqual({ removed: 4, archived: 4, remaining: 2 });
    const ids = (await archiveLines(w.dir)).records.map((r) => r.sessionId);
    expect(ids.sort()).toEqual(["s_0", "s_1", "s_2", "s_3"]);
    // A later clear appends after the pointer the compaction left, and nothing is cut.
    expect((await w.run(["process", "--engine", "local"])).exitCode).toBe(0);
    expect((await w.run(["clear", "--processed", "--yes"])).exitCode).toBe(0);
    expect((await archiveLines(w.dir)).records.map((r) => r.sessionId).sort()).toEqual([
      "s_0",
      "s_1",
      "s_2",
      "s_3",
      "s_4",
      "s_5",
    ]);
  });
});
