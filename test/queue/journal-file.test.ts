import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLineAt, scanLines } from "../../src/queue/journal-file.js";
import { tempDir } from "../support/temp.js";

// Issue 10: a line is read with a small first read (a slice of Node's buffer pool) and grows
// by fours; a scan sizes its buffer to what is there. Lines of every length must come back
// whole, at every offset, and a scan with nothing new must read nothing.

/** A line of `n` characters, multi-byte ones included, recognisable by `k`. */
const lineOf = (n: number, k: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 97 === 50 ? "é" : String.fromCharCode(97 + ((i + k) % 26)),
  ).join("");

describe("journal lines (issue 10)", () => {
  it("reads lines shorter than, at and past the first read and its growths, at their offsets", async () => {
    const path = join(await tempDir(), "journal.jsonl");
    const lengths = [0, 1, 3_998, 3_999, 4_000, 4_001, 15_999, 16_000, 16_001, 64_001, 300_000];
    const lines = lengths.map((n, k) => lineOf(n, k));
    await writeFile(path, `${lines.join("\n")}\n${lineOf(5_000, 99)}`); // the last without "\n"
    const fh = await open(path, "r");
    try {
      let offset = 0;
      for (const line of lines) {
        expect(await readLineAt(fh, offset)).toBe(line);
        offset += Buffer.byteLength(line) + 1;
      }
      expect(await readLineAt(fh, offset)).toBe(lineOf(5_000, 99));
      expect(await readLineAt(fh, offset + 5_100)).toBe("");
      const seen: string[] = [];
      const scanned = await scanLines(fh, 0, ({ text }) => seen.push(text));
      expect(seen).toEqual(lines);
      expect(scanned).toEqual({ end: offset, size: offset + Buffer.byteLength(lineOf(5_000, 99)) });
      // From the end: no line, the same end.
      const none: string[] = [];
      expect(await scanLines(fh, scanned.size, ({ text }) => none.push(text))).toEqual({
        end: scanned.size,
        size: scanned.size,
      });
      expect(none).toEqual([]);
    } finally {
      await fh.close();
    }
  });
});
