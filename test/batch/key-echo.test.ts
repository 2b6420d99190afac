/**
 * Issue 8, defect 8: a server echoing the key URL-encoded (or form-encoded, or in base64) put it
 * on stderr and in the journal's batch/retry messages. With a key that encoding changes, no
 * encoded form reaches stdout, stderr (verbose, human and JSON logs) or the queue file.
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { useFakeServer } from "../support/fake-client.js";
import { encodedKeyForms } from "../support/fake-faults.js";
import { DEFAULT_SETTINGS } from "../support/fake-state.js";
import { inProcessWorld, mixedSessions, woodwideEnv } from "../support/process-world.js";

const KEY = "ww_k+y/=&?% x_0123";
const server = useFakeServer({ apiKey: KEY }, { ...DEFAULT_SETTINGS, apiKey: KEY });

describe("the key echoed in encoded forms never leaks", () => {
  it("not on stdout, stderr or in the journal", async () => {
    const forms = encodedKeyForms(KEY);
    // Encoding changes this key: every form differs from it and from the others.
    expect(new Set([KEY, ...forms]).size).toBe(forms.length + 1);
    const w = await inProcessWorld(woodwideEnv(server.fake));
    expect(
      (
        await w.run(
          ["enqueue"],
          mixedSessions(4, () => false),
        )
      ).code,
    ).toBe(0);
    const out: string[] = [];
    const echo = ` echoed: ${forms.join(" | ")}`;
    // An error body (503, retried in place, then the attempt fails), a job's error_message, and a
    // 422 detail: every path a server's text takes to a message.
    server.fake.setFault({ kind: "echo-key", on: "upload", times: 3 });
    for (const args of [["-v"], ["-v", "--log-format", "json"]]) {
      const r = await w.run(["process", ...args, "--json"]);
      out.push(r.stdout, r.stderr);
      expect(r.code).toBe(69);
      w.advance(3_600_000);
      server.fake.setFault({ kind: "job-failed", on: "job", times: 1, message: `ingest${echo}` });
    }
    server.fake.setFault({ kind: "echo-key", status: 422, on: "upload", times: 1 });
    const refused = await w.run(["process", "-v"]);
    expect(refused.code).toBe(78); // a 422: the request's shape was refused
    out.push(refused.stdout, refused.stderr);
    const journal = await readFile(w.queue, "utf8");
    const text = [...out, journal].join("\n");
    expect(text).toContain("[redacted]");
    expect(journal).toMatch(/"t":"retry".*token rejected upstream: \[redacted\]/);
    for (const form of [KEY, ...forms]) expect(text).not.toContain(form);
  });
});
