import { execa, type ResultPromise } from "execa";
import { Agent, request } from "undici";
import { BIN } from "./cli.js";
import { eventually } from "./eventually.js";

export interface Served {
  url: string;
  child: ResultPromise;
  stderr: () => string;
  /** undici request; JSON body decoded when the answer is JSON. */
  call(
    method: string,
    path: string,
    o?: { token?: string; body?: string | Buffer; type?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field, as JSON
  ): Promise<{ status: number; headers: Record<string, unknown>; json: any; text: string }>;
  close(): Promise<void>;
}

/** `serve` on a free loopback port (or `listen`), its address read from its stderr line. */
export async function startServe(
  env: Record<string, string>,
  args: string[] = [],
  listen = "127.0.0.1:0",
): Promise<Served> {
  const child = execa("node", [BIN, "serve", "--listen", listen, ...args], {
    env,
    extendEnv: true,
    reject: false,
    stdin: "ignore",
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
      return /listening on http:\/\/[^:]+:(\d+)/.exec(stderr)?.[1];
    },
    15_000,
    "serve to listen",
  );
  const url = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAliveTimeout: 4_000, connections: 64 });
  return {
    url,
    child,
    stderr: () => stderr,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.type) headers["content-type"] = o.type;
      const r = await request(`${url}${path}`, {
        method: method as "GET",
        headers,
        ...(o.body === undefined ? {} : { body: o.body }),
        dispatcher: agent,
      });
      const text = await r.body.text();
      const isJson = String(r.headers["content-type"] ?? "").startsWith("application/json");
      return {
        status: r.statusCode,
        headers: r.headers,
        json: isJson ? JSON.parse(text) : undefined,
        text,
      };
    },
    async close() {
      await agent.close();
      if (child.exitCode === null) child.kill("SIGTERM");
      await child;
    },
  };
}
