import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRecord } from "../../src/ops/enqueue-prepare.js";
import { DEFAULT_THRESHOLDS } from "../../src/scoring/result.js";
import { readRecordTexts } from "../../src/telemetry/read-records.js";

// The corpus of issue 2 ("Must show": bad input handled record by record). expected.json lists,
// per file, the sessions that must be accepted and every rejection message, in order.
const corpus = resolve(import.meta.dirname, "../../fixtures/bad-input");
const script = resolve(import.meta.dirname, "../../scripts/make-bad-input.mjs");

type Expectation = { generated?: boolean; accepted: string[]; rejected: string[] };
const expected = JSON.parse(await readFile(join(corpus, "expected.json"), "utf8")) as {
  files: Record<string, Expectation>;
};

/** The path enqueue takes: records as text, then prepareRecord (parse, validate, features). */
async function outcome(path: string): Promise<{ accepted: string[]; rejected: string[] }> {
  const accepted: string[] = [];
  const rejected: string[] = [];
  for await (const rec of readRecordTexts(createReadStream(path))) {
    const p = prepareRecord(rec, { thresholds: DEFAULT_THRESHOLDS, now: 0 });
    if ("rejection" in p) rejected.push(p.rejection);
    else accepted.push(p.id);
  }
  return { accepted, rejected };
}

let generatedDir = "";
beforeAll(async () => {
  generatedDir = await mkdtemp(join(tmpdir(), "ppb-bad-input-"));
  const { makeBadInput } = (await import(pathToFileURL(script).href)) as {
    makeBadInput: (dir: string) => Promise<string[]>;
  };
  await makeBadInput(generatedDir);
});
afterAll(async () => {
  if (generatedDir) await rm(generatedDir, { recursive: true, force: true });
});

describe("bad-input corpus", () => {
  it("expected.json lists exactly the committed and generated files", async () => {
    const committed = (await readdir(corpus)).filter((f) => f !== "expected.json");
    const generated = await readdir(generatedDir);
    const listed = Object.entries(expected.files);
    expect(
      listed
        .filter(([, e]) => !e.generated)
        .map(([f]) => f)
        .sort(),
    ).toEqual(committed.sort());
    expect(
      listed
        .filter(([, e]) => e.generated)
        .map(([f]) => f)
        .sort(),
    ).toEqual(generated.sort());
  });

  it("keeps its BOM and CRLF bytes (a checkout must not normalize them)", async () => {
    const bom = await readFile(join(corpus, "bom.ndjson"));
    const crlf = await readFile(join(corpus, "crlf.ndjson"), "utf8");
    expect([...bom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      crlf
        .split("\n")
        .slice(0, -1)
        .every((line) => line.endsWith("\r")),
    ).toBe(true);
  });

  it("generates a valid 10 MiB line and a line over the 16 MiB cap", async () => {
    const lines = async (f: string) =>
      (await readFile(join(generatedDir, f), "utf8")).split("\n").map((l) => Buffer.byteLength(l));
    expect((await lines("huge-line-valid.ndjson"))[0]).toBe(10 * 1024 * 1024);
    expect((await lines("huge-line-over-cap.ndjson"))[1]).toBe(17 * 1024 * 1024);
  });

  for (const [file, want] of Object.entries(expected.files)) {
    it(`${file}: accepts and rejects record by record`, async () => {
      const path = join(want.generated ? generatedDir : corpus, file);
      expect(await outcome(path)).toEqual({ accepted: want.accepted, rejected: want.rejected });
    });
  }
});
