import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBackends } from "../support/backends.js";
import { BIN, cliWorld, ROOT } from "../support/cli.js";
import { eventually } from "../support/eventually.js";
import { errorLines } from "../support/log-lines.js";
import { ndjson } from "../support/sessions.js";

// Issue 2, "Must show": the bad-input corpus through the real binary. Every valid record is
// queued, every bad one gets its one message on stderr, and the exit code is 65.
const corpus = join(ROOT, "fixtures", "bad-input");
type Expectation = { generated?: boolean; accepted: string[]; rejected: string[] };
const expected = JSON.parse(await readFile(join(corpus, "expected.json"), "utf8")) as {
  files: Record<string, Expectation>;
};

let generatedDir = "";
beforeAll(async () => {
  generatedDir = await mkdtemp(join(tmpdir(), "ppb-bad-e2e-"));
  const { makeBadInput } = await import(
    pathToFileURL(join(ROOT, "scripts", "make-bad-input.mjs")).href
  );
  await makeBadInput(generatedDir);
});
afterAll(async () => {
  if (generatedDir) await rm(generatedDir, { recursive: true, force: true });
});

describeBackends("enqueue over the bad-input corpus (built binary)", (b) => {
  it("all files in one run: the valid records of every file are queued", async () => {
    const w = await cliWorld({}, b);
    const entries = Object.entries(expected.files);
    const files = entries.map(([f, e]) => join(e.generated ? generatedDir : corpus, f));
    const r = await w.run(["enqueue", ...files, "--json"]);
    expect(r.exitCode).toBe(65);
    const accepted = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).sessionId);
    expect(accepted).toEqual(entries.flatMap(([, e]) => e.accepted));
    const errors = errorLines(r.stderr);
    const want = entries.flatMap(([f, e]) =>
      e.rejected.map((m) => `error: ${join(e.generated ? generatedDir : corpus, f)} ${m}`),
    );
    expect(errors).toEqual(want);
    expect(r.stderr).toMatch(
      new RegExp(
        `${accepted.length} accepted, 0 duplicates \\(ignored\\), ${want.length} rejected`,
      ),
    );
    const stats = JSON.parse((await w.run(["stats", "--json"])).stdout);
    expect(stats.sessions).toBe(accepted.length);
  });

  // Issue 8: a line that never ends printed nothing until it ended.
  it("stdin: a line over 16 MiB is reported when the cap is reached, and later records are queued", async () => {
    const w = await cliWorld({}, b);
    const child = execa("node", [BIN, "enqueue"], { env: w.env, reject: false });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const write = async (text: string) => {
      if (!child.stdin.write(text)) await once(child.stdin, "drain");
    };
    await write(`${ndjson(1)}{"sessionId":"s_huge","pad":"`);
    const MiB = "x".repeat(1024 * 1024);
    for (let i = 0; i < 17; i++) await write(MiB);
    // stdin stays open: the line has not ended, yet the message must be out.
    const said = await eventually(
      async () => (stderr.includes("error: line 2:") ? stderr : undefined),
      30_000,
      "the over-cap message while the line is still open",
    );
    expect(said).toContain("error: line 2: record is larger than 16 MiB\n");
    await write(`${MiB}"}\n${ndjson(1, {}, 1)}`);
    child.stdin.end();
    const r = await child;
    expect(r.exitCode).toBe(65);
    expect(errorLines(stderr)).toEqual(["error: line 2: record is larger than 16 MiB"]);
    expect(stderr).toMatch(/2 accepted, 0 duplicates \(ignored\), 1 rejected/);
  });

  it("stdin: messages name the line (and the record when its id is readable)", async () => {
    const w = await cliWorld({}, b);
    const input = await readFile(join(corpus, "wrong-types.ndjson"), "utf8");
    const r = await w.run(["enqueue"], { input });
    expect(r.exitCode).toBe(65);
    const want = expected.files["wrong-types.ndjson"]!;
    expect(errorLines(r.stderr)).toEqual(want.rejected.map((m) => `error: ${m}`));
  });
});
