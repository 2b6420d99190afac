import { execFileSync } from "node:child_process";
import { mkdir, readFile, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";
import { readQueueState } from "../support/queue-state.js";
import { ndjson } from "../support/sessions.js";

// "Never lose a session: ... a full disk." A real full file system: a small tmpfs (the tests run
// as root, locally and in CI), filled up with a filler file that is then removed.
const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) execFileSync("umount", [dir]);
});

function mountTmpfs(dir: string, size: string) {
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounted.push(dir);
}

describe("a full disk (built binary, tmpfs)", () => {
  it("enqueue and process fail cleanly, keep the journal whole, and lose nothing once there is room", async () => {
    const w0 = await cliWorld();
    const disk = join(w0.dir, "disk");
    await mkdir(disk);
    mountTmpfs(disk, "16m"); // room for 2,120 sessions once it is emptied
    const w = await cliWorld({ PLAYPROOF_QUEUE: join(disk, "queue.jsonl") });
    expect((await w.run(["enqueue"], { input: ndjson(120, { points: 40 }) })).exitCode).toBe(0);
    // Leave about 3 KB free: room for a claim, not for a batch's results.
    const { bavail, bsize } = await statfs(disk);
    const filler = join(disk, "filler");
    await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - 3_000)));

    const full = await w.run(["enqueue"], { input: ndjson(2_000, { points: 40 }, 120) });
    expect(full.exitCode).toBe(74); // design.md: local I/O
    expect(full.stderr).toMatch(
      /ENOSPC.*were not \(run the same input again: duplicates are ignored\)/,
    );
    expect((await readFile(w.queue, "utf8")).endsWith("\n")).toBe(true);
    expect((await readQueueState(w.queue)).sessions.size).toBe(120);

    const stuck = await w.run(["process", "--engine", "local"]);
    expect(stuck.exitCode).toBe(74);
    expect(stuck.stderr).toMatch(/ENOSPC/);
    const after = await readQueueState(w.queue);
    expect(after.corrupt).toEqual([]);
    expect([...after.sessions.values()].filter((r) => r.status === "scored")).toHaveLength(0);
    expect((await readFile(w.queue, "utf8")).endsWith("\n")).toBe(true);

    await rm(filler);
    expect((await w.run(["enqueue"], { input: ndjson(2_000, { points: 40 }, 120) })).exitCode).toBe(
      0,
    );
    expect((await w.run(["process", "--engine", "local"])).exitCode).toBe(0);
    const end = await readQueueState(w.queue);
    expect(end.sessions.size).toBe(2_120);
    expect([...end.sessions.values()].every((r) => r.status === "scored")).toBe(true);
  });
});
