import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliWorld, ROOT } from "../support/cli.js";

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

describe("enqueue over the bad-input corpus (built binary)", () => {
  it("all files in one run: the valid records of every file are queued", async () => {
    const w = await cliWorld();
    const entries = Object.entries(expected.files);
    const files = entries.map(([f, e]) => join(e.generated ? generatedDir : corpus, f));
    const r = await w.run(["enqueue", ...files, "--json"]);
    expect(r.exitCode).toBe(65);
    const accepted = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).sessionId);
    expect(accepted).toEqual(entries.flatMap(([, e]) => e.accepted));
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
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

  it("stdin: messages name the line (and the record when its id is readable)", async () => {
    const w = await cliWorld();
    const input = await readFile(join(corpus, "wrong-types.ndjson"), "utf8");
    const r = await w.run(["enqueue"], { input });
    expect(r.exitCode).toBe(65);
    const want = expected.files["wrong-types.ndjson"]!;
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error: "))).toEqual(
      want.rejected.map((m) => `error: ${m}`),
    );
  });
});
