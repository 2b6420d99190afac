/**
 * Issue 12: the package as a user gets it. `npm pack` once, install the tarball into a temp
 * project, import it by name from an .mjs script, and type-check a .ts file against the shipped
 * declarations with this project's TypeScript. Needs `npm run build` first, as the e2e tests do.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

let project = "";
let tarball = "";
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

beforeAll(async () => {
  // Not tempDir(): that one is emptied after each test, and the install is shared by the file.
  project = await mkdtemp(join(tmpdir(), "ppb-pack-"));
  const packed = await execa(
    "npm",
    ["pack", "--json", "--ignore-scripts", "--pack-destination", project],
    {
      cwd: ROOT,
    },
  );
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(project, info!.filename);
  const files = info!.files.map((f) => f.path);
  expect(files).toContain("dist/index.js");
  expect(files).toContain("dist/index.d.ts");
  expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await execa(
    "npm",
    [
      "install",
      tarball,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
    ],
    { cwd: project },
  );
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("imports by name from an .mjs script and works on a queue", async () => {
    const dir = await tempDir("ppb-pack-q-");
    await writeFile(
      join(project, "use.mjs"),
      `import { openQueue, ConfigError, scoreSession, getSessionResult, closeQueues } from "playproof-batch";
const env = { HOME: ${JSON.stringify(dir)}, PLAYPROOF_CONFIG_DIR: ${JSON.stringify(join(dir, "c"))} };
const q = await openQueue(${JSON.stringify(join(dir, "q.jsonl"))}, { env });
const session = { sessionId: "p_1", movements: [0, 1, 2, 3, 4, 5].map((i) => ({ x: i * 7, y: i * 3, timestamp: i * 16 })) };
const report = await q.enqueue([session, { sessionId: "" }]);
const summary = await q.process();
const verdict = await q.getSessionResult("p_1");
let redis; // a Redis URL with a misspelt parameter: refused before any connection
try { await openQueue("redis://u:pw@h:6379?prefx=a", { env }); } catch (e) { redis = [e instanceof ConfigError, e.code, e.exitCode, e.message]; }
await q.close();
console.log(JSON.stringify({ accepted: report.accepted, rejected: report.rejected, scored: summary.scored, source: verdict?.source, redis, fns: [typeof scoreSession, typeof getSessionResult, typeof closeQueues] }));
`,
    );
    const r = await execa("node", ["use.mjs"], { cwd: project });
    expect(JSON.parse(r.stdout)).toEqual({
      accepted: 1,
      rejected: 1,
      scored: 1,
      source: "local",
      redis: [
        true,
        "CONFIG",
        78,
        "openQueue()'s path is redis://u:****@h:6379?prefx=a: unknown parameter prefx (known: prefix, connectTimeout, commandTimeout)",
      ],
      fns: ["function", "function", "function"],
    });
    // The CLI still ships as the bin.
    expect((await readdir(join(project, "node_modules", ".bin"))).includes("playproof-batch")).toBe(
      true,
    );
  }, 60_000);

  it("type-checks a .ts file against the shipped declarations", async () => {
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: ["check.ts"],
      }),
    );
    await writeFile(
      join(project, "check.ts"),
      `import { openQueue, PlayProofError, UnknownSessionError, type EnqueueReport, type Queue, type ScoreResult, type SessionResult, scoreSession } from "playproof-batch";
export async function handler(body: unknown): Promise<{ status: number; json: unknown }> {
  const q: Queue = await openQueue("/tmp/q.jsonl", { settings: { "process.batchSize": 20 } });
  try {
    const report: EnqueueReport = await q.enqueue(body as Record<string, unknown>);
    const first: string | undefined = report.records.accepted[0]?.sessionId;
    const r: SessionResult = await q.result(first ?? "x");
    const decision: "pass" | "review" | "fail" = r.result.decision;
    const verdict: ScoreResult | null = await q.getSessionResult("x");
    const scored = await scoreSession(body, { useBatch: true, queue: q });
    const provisional: boolean = scored.provisional;
    return { status: 200, json: { decision, verdict, provisional } };
  } catch (err) {
    if (err instanceof UnknownSessionError) return { status: 404, json: { error: err.message } };
    if (err instanceof PlayProofError) return { status: err.exitCode === 65 ? 422 : 500, json: { code: err.code } };
    throw err;
  } finally {
    await q.close();
  }
}
export async function misuse(q: Queue) {
  // @ts-expect-error a number is not a session, text or a stream
  await q.enqueue(42);
  // @ts-expect-error not a setting
  await openQueue("/tmp/q", { settings: { "process.bogus": 1 } });
  // @ts-expect-error maxBatches is a number
  await q.process({ maxBatches: "2" });
}
`,
    );
    const r = await execa("node", [TSC, "-p", "."], { cwd: project, reject: false });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  }, 60_000);
});
