import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { RawRecord } from "../../src/telemetry/read-records.js";
import { formatBytes, formatRejection, readRecords } from "../../src/telemetry/read-records.js";

async function* fromChunks(chunks: (Buffer | string)[]): AsyncGenerator<Buffer | string> {
  yield* chunks;
}

async function read(chunks: (Buffer | string)[], maxRecordBytes?: number): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const rec of readRecords(fromChunks(chunks), { maxRecordBytes })) out.push(rec);
  return out;
}

/** Every way to cut `bytes` in two, plus one byte at a time. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 0; i <= bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

const v = (line: number, value: unknown): RawRecord => ({ line, value });
const e = (line: number, error: string): RawRecord => ({ line, error });
const BOM = "\uFEFF";

describe("readRecords: formats", () => {
  const cases: { name: string; input: string; want: RawRecord[] }[] = [
    { name: "empty input", input: "", want: [] },
    { name: "only blank lines", input: "\n  \r\n\t\n", want: [] },
    {
      name: "NDJSON with blank lines",
      input: '{"a":1}\n\n   \n{"a":2}\n',
      want: [v(1, { a: 1 }), v(4, { a: 2 })],
    },
    {
      name: "last line without newline",
      input: '{"a":1}\n{"a":2}',
      want: [v(1, { a: 1 }), v(2, { a: 2 })],
    },
    { name: "CRLF", input: '{"a":1}\r\n\r\n{"a":2}\r\n', want: [v(1, { a: 1 }), v(3, { a: 2 })] },
    { name: "BOM", input: `${BOM}{"a":1}\n{"a":2}\n`, want: [v(1, { a: 1 }), v(2, { a: 2 })] },
    { name: "BOM then CRLF", input: `${BOM}{"a":1}\r\n`, want: [v(1, { a: 1 })] },
    {
      name: "CRLF: the CR is not quoted in a JSON error",
      input: "nope\r\n",
      want: [e(1, `invalid JSON (Unexpected token 'o', "nope" is not valid JSON)`)],
    },
    {
      name: "CRLF pretty document, `{` line with trailing blanks",
      input: '{  \r\n  "a": 1\r\n}\r\n',
      want: [v(1, { a: 1 })],
    },
    {
      name: "a malformed line costs only itself",
      input: '{"a":1}\n{"a": [1, 2\n{"a":3}\nnot json\n{"a":5}\n',
      want: [
        v(1, { a: 1 }),
        e(2, "invalid JSON (Expected ',' or ']' after array element in JSON at position 11)"),
        v(3, { a: 3 }),
        e(4, `invalid JSON (Unexpected token 'o', "not json" is not valid JSON)`),
        v(5, { a: 5 }),
      ],
    },
    {
      name: "non-object values pass through",
      input: '{"a":1}\n42\n"s"\nnull\ntrue\n[1,2]\n',
      want: [v(1, { a: 1 }), v(2, 42), v(3, "s"), v(4, null), v(5, true), v(6, [1, 2])],
    },
    {
      name: "a leading array streams its elements",
      input: '[{"a":1},{"a":2}]\n{"a":3}\n',
      want: [v(1, { a: 1 }), v(1, { a: 2 }), v(2, { a: 3 })],
    },
    {
      name: "pretty-printed array: each element has its own line",
      input: `\n${JSON.stringify([{ a: 1, b: [1, 2] }, 7, "x", { c: { d: "]}," } }], null, 2)}\n`,
      want: [v(3, { a: 1, b: [1, 2] }), v(10, 7), v(11, "x"), v(12, { c: { d: "]}," } })],
    },
    { name: "empty array", input: "[ ]\n", want: [] },
    {
      name: "array holes and trailing comma",
      input: "[,1,,2,\n]",
      want: [
        e(1, "invalid JSON (empty array element)"),
        v(1, 1),
        e(1, "invalid JSON (empty array element)"),
        v(1, 2),
        e(2, "invalid JSON (empty array element)"),
      ],
    },
    {
      name: "a bad array element is rejected alone",
      input: '[\n{"a":1},\n{"a":},\n{"a":3}\n]\n',
      want: [
        v(2, { a: 1 }),
        e(3, `invalid JSON (Unexpected token '}', "{"a":}" is not valid JSON)`),
        v(4, { a: 3 }),
      ],
    },
    {
      name: "array never closed, last element complete",
      input: '[{"a":1},\n{"a":2}\n',
      want: [
        v(1, { a: 1 }),
        v(2, { a: 2 }),
        e(1, 'invalid JSON (the array is never closed with "]")'),
      ],
    },
    {
      name: "array never closed, last element cut",
      input: '[{"a":1},\n{"a":',
      want: [
        v(1, { a: 1 }),
        e(2, "invalid JSON (Unexpected end of JSON input)"),
        e(1, 'invalid JSON (the array is never closed with "]")'),
      ],
    },
    {
      name: "a pretty-printed document",
      input: `${JSON.stringify({ sessionId: "s{", movements: [{ x: 1 }], t: '"}' }, null, 2)}\n`,
      want: [v(1, { sessionId: "s{", movements: [{ x: 1 }], t: '"}' })],
    },
    {
      name: "a stream of pretty documents (jq) and NDJSON mixed",
      input: '{\n  "a": 1\n}\n{\n  "a": {"b": 2}\n}\n{"a":3}\n{}\n',
      want: [v(1, { a: 1 }), v(4, { a: { b: 2 } }), v(7, { a: 3 }), v(8, {})],
    },
    {
      name: "a stray { line does not swallow the records after it",
      input: '{\n{"a":1}\n{"a":2}\n',
      want: [
        e(1, "invalid JSON (expected a property name on line 2)"),
        v(2, { a: 1 }),
        v(3, { a: 2 }),
      ],
    },
    {
      name: "a stray { after a property is caught at the next comma",
      input: '{\n"a": 1,\n{"a":2}\n',
      want: [e(1, "invalid JSON (expected a property name on line 3)"), v(3, { a: 2 })],
    },
    {
      name: "a pretty document never closed",
      input: '{\n  "a": [1,\n',
      want: [e(1, "invalid JSON (Unexpected end of JSON input)")],
    },
    {
      name: "a later [ line is an ordinary NDJSON record",
      input: '{"a":1}\n[2, 3]\n[\n',
      want: [v(1, { a: 1 }), v(2, [2, 3]), e(3, "invalid JSON (Unexpected end of JSON input)")],
    },
    {
      name: "multi-byte text and escapes",
      input: '{"s":"héllo 😀 \\"quoted\\" \\\\"}\n["ü]", "\\u00e9"]',
      want: [v(1, { s: 'héllo 😀 "quoted" \\' }), v(2, ["ü]", "é"])],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      expect(await read([c.input])).toEqual(c.want);
    });
  }
});

describe("readRecords: chunk boundaries", () => {
  // Multi-byte characters (2, 3 and 4 bytes), a BOM, CRLF, escapes and brackets inside strings.
  const samples = {
    ndjson: `${BOM}{"s":"é€😀"}\r\n\r\n{"t":"\\"}{["}\n42\n`,
    array: `${BOM}[\r\n {"s":"é€😀"},\n "]\\"," ,\n [1,{"a":"😀"}]\n]\n{"z":1}\n`,
    document: `{\n  "s": "é€😀",\n  "u": "}\\""\n}\n{"z":1}\n`,
  };
  for (const [name, text] of Object.entries(samples)) {
    it(`${name}: any split gives the same records`, async () => {
      const whole = await read([text]);
      expect(whole.length).toBeGreaterThan(1);
      expect(whole.some((r) => "error" in r)).toBe(false);
      for (const chunks of splits(Buffer.from(text, "utf8"))) {
        expect(await read(chunks)).toEqual(whole);
      }
    });
  }

  it("accepts string chunks and Uint8Array chunks", async () => {
    const bytes = new TextEncoder().encode('{"a":"é"}\n');
    const out: RawRecord[] = [];
    async function* gen() {
      yield bytes.subarray(0, 7);
      yield bytes.subarray(7);
      yield '{"b":2}';
    }
    for await (const r of readRecords(gen())) out.push(r);
    expect(out).toEqual([v(1, { a: "é" }), v(2, { b: 2 })]);
  });
});

describe("readRecords: size cap", () => {
  const big = `{"pad":"${"x".repeat(100)}"}`;
  const cases: { name: string; input: string; want: RawRecord[] }[] = [
    {
      name: "NDJSON line over the cap is skipped, the next one read",
      input: `${big}\n{"a":1}\n`,
      want: [e(1, "record is larger than 64 bytes"), v(2, { a: 1 })],
    },
    {
      name: "a line of exactly the cap is read",
      input: `{"pad":"${"x".repeat(64 - 10)}"}\n`,
      want: [v(1, { pad: "x".repeat(54) })],
    },
    {
      name: "an array element over the cap",
      input: `[\n${big},\n{"a":1}\n]`,
      want: [e(2, "record is larger than 64 bytes"), v(3, { a: 1 })],
    },
    {
      name: "a pretty document over the cap",
      input: `{\n"pad": "${"x".repeat(100)}"\n}\n{"a":1}\n`,
      want: [e(1, "record is larger than 64 bytes"), v(4, { a: 1 })],
    },
    {
      name: "an over-cap line at end of input",
      input: `{"a":1}\n${big}`,
      want: [v(1, { a: 1 }), e(2, "record is larger than 64 bytes")],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      expect(await read([c.input], 64)).toEqual(c.want);
      // Same answer when the record arrives in pieces smaller than the cap.
      const bytes = Buffer.from(c.input);
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.subarray(i, i + 7));
      expect(await read(pieces, 64)).toEqual(c.want);
    });
  }

  it("defaults to 16 MiB and streams a huge line without holding it", async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    async function* huge() {
      yield '{"a":1}\n{"pad":"';
      for (let i = 0; i < 20; i++) yield Buffer.from(chunk.fill(0x78));
      yield '"}\n{"a":2}\n';
    }
    const out: RawRecord[] = [];
    for await (const r of readRecords(huge())) out.push(r);
    expect(out).toEqual([v(1, { a: 1 }), e(2, "record is larger than 16 MiB"), v(3, { a: 2 })]);
  });
});

describe("formatRejection / formatBytes", () => {
  it.each([
    [
      17,
      "movements[3].timestamp: expected a number",
      undefined,
      "line 17: movements[3].timestamp: expected a number",
    ],
    [
      17,
      "movements[3].timestamp: expected a number",
      "s_1",
      "line 17 (s_1): movements[3].timestamp: expected a number",
    ],
  ])("formatRejection(%s, %s, %s)", (line, error, id, want) => {
    expect(formatRejection(line, error, id)).toBe(want);
  });

  it.each([
    [16 * 1024 * 1024, "16 MiB"],
    [2048, "2 KiB"],
    [64, "64 bytes"],
  ])("formatBytes(%s) = %s", (n, want) => {
    expect(formatBytes(n)).toBe(want);
  });
});

// Issue 8: a line that never ends printed nothing until it ended.
describe("readRecords: a record over the cap is reported when the cap is reached", () => {
  it("yields the error before the rest of the line arrives, then reads on after it", async () => {
    let starved: () => void = () => {};
    const waiting = new Promise<"starved">((resolve) => {
      starved = () => resolve("starved");
    });
    let release: () => void = () => {};
    const more = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* neverEnding() {
      yield '{"a":1}\n{"pad":"';
      yield "x".repeat(100);
      starved(); // the reader asks for more: without the early report, nothing came out yet
      await more;
      yield `${"x".repeat(100)}"}\n{"a":2}\n`;
    }
    const it = readRecords(neverEnding(), { maxRecordBytes: 64 });
    expect((await it.next()).value).toEqual(v(1, { a: 1 }));
    expect(await Promise.race([it.next().then((r) => r.value), waiting])).toEqual(
      e(2, "record is larger than 64 bytes"),
    );
    release();
    const rest: RawRecord[] = [];
    for await (const r of it) rest.push(r);
    expect(rest).toEqual([v(3, { a: 2 })]);
  });
});

// Issue 8: gzip input, told by its magic bytes, from a file or a pipe.
describe("readRecords: gzip input", () => {
  const ndjson = '{"a":1}\n{"a":2}\r\n\n{"a":3}';
  const want = [v(1, { a: 1 }), v(2, { a: 2 }), v(4, { a: 3 })];

  it("reads gzip as the plain text it holds, however the bytes are cut", async () => {
    const gz = gzipSync(ndjson);
    expect(await read([gz])).toEqual(want);
    for (const pieces of splits(gz)) expect(await read(pieces)).toEqual(want);
  });

  it("reads concatenated gzip members (cat a.gz b.gz) and strips a BOM inside", async () => {
    const gz = Buffer.concat([gzipSync(`${BOM}{"a":1}\n`), gzipSync('{"a":2}\n')]);
    expect(await read([gz])).toEqual([v(1, { a: 1 }), v(2, { a: 2 })]);
  });

  it("keeps plain input that starts with 0x1f but not 0x1f 0x8b plain", async () => {
    const out = await read([Buffer.from([0x1f, 0x7b, 0x7d, 0x0a]), '{"a":1}\n']);
    expect(out[0]).toMatchObject({ line: 1, error: expect.stringMatching(/^invalid JSON/) });
    expect(out[1]).toEqual(v(2, { a: 1 }));
  });

  it("a truncated gzip stream fails after the records before the cut, naming gzip", async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"a":${i}}\n`).join("");
    const gz = gzipSync(lines);
    const got: RawRecord[] = [];
    await expect(async () => {
      for await (const r of readRecords(fromChunks([gz.subarray(0, gz.length - 20)]))) got.push(r);
    }).rejects.toThrow(/^gzip input: unexpected end of file$/);
    expect(got.length).toBeGreaterThan(1000);
    expect(got).toEqual(got.map((_, i) => v(i + 1, { a: i })));
  });
});
