/**
 * Issue 11: a `rediss://` queue URL against a private redis-server serving TLS only, with a
 * certificate of a throwaway CA made by openssl. Node trusts that CA through
 * NODE_EXTRA_CA_CERTS (the backend passes no CA of its own); without it the certificate is
 * refused and the command says so, naming host:port.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "node:tls";
import { afterAll, expect, it } from "vitest";
import { cliWorld } from "../support/cli.js";
import { mixedSessions } from "../support/process-world.js";
import { type Availability, describeWhen } from "../support/redis.js";
import { freePort, redisServerBinary } from "../support/redis-server.js";
import { tempDir } from "../support/temp.js";

async function tlsTools(): Promise<Availability> {
  if (!redisServerBinary()) return { ok: false, why: "no redis-server binary" };
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return { ok: true };
  } catch {
    return { ok: false, why: "no openssl binary (apt-get install openssl)" };
  }
}

/** A CA and a certificate it signed for localhost / 127.0.0.1, in `dir`. */
function makeCerts(dir: string) {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = [
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=ppb-test-ca",
  ];
  ssl("req", "-x509", ...ec, ...ca);
  ssl("req", ...ec, "-keyout", f("srv.key"), "-out", f("srv.csr"), "-subj", "/CN=localhost");
  execFileSync("sh", [
    "-c",
    `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > "${f("ext")}"`,
  ]);
  ssl(
    "x509",
    "-req",
    "-in",
    f("srv.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("srv.crt"),
    "-days",
    "2",
    "-extfile",
    f("ext"),
  );
  return { ca: f("ca.crt"), cert: f("srv.crt"), key: f("srv.key") };
}

/** PING over TLS (trusting `ca`): "+PONG" once the server is up. */
function tlsPing(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1", servername: "localhost", ca: readFileSync(ca) });
    const timer = setTimeout(() => s.destroy(new Error("no answer")), 1_000);
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on("secureConnect", () => s.write("*1\r\n$4\r\nPING\r\n"));
    s.on("data", (d) => {
      clearTimeout(timer);
      s.destroy();
      resolve(d.toString().trim());
    });
  });
}

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

describeWhen(tlsTools, "redis-server and openssl", "rediss:// (TLS, built binary)", () => {
  it("with the CA trusted: enqueue, process and stats work; without it: refused certificate, exit 69", async () => {
    const dir = await tempDir("ppb-tls-");
    const certs = makeCerts(dir);
    const port = await freePort();
    const server = spawn(
      redisServerBinary()!,
      [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--tls-cert-file",
        certs.cert,
        "--tls-key-file",
        certs.key,
        "--tls-ca-cert-file",
        certs.ca,
        "--tls-auth-clients",
        "no",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
    children.push(server);
    const end = Date.now() + 10_000;
    for (;;) {
      const pong = await tlsPing(port, certs.ca).catch((err: Error) => err.message);
      if (pong === "+PONG") break;
      if (server.exitCode !== null || Date.now() > end)
        throw new Error(`redis-server with TLS did not start (exit ${server.exitCode}): ${pong}`);
      await sleep(50);
    }

    const url = `rediss://localhost:${port}/0?prefix=tls`;
    const trusted = await cliWorld({ PLAYPROOF_QUEUE: url, NODE_EXTRA_CA_CERTS: certs.ca });
    const e = await trusted.run(["enqueue", "--quiet"], { input: mixedSessions(4, () => false) });
    expect(e.exitCode, e.stderr).toBe(0);
    const p = await trusted.run(["process", "--engine", "local", "--json"]);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ sessions: 4, scored: 4 });
    const s = await trusted.run(["stats", "--json"]);
    expect(JSON.parse(s.stdout)).toMatchObject({ backend: "redis", sessions: 4, scored: 4 });

    const untrusted = await cliWorld({ PLAYPROOF_QUEUE: url });
    const r = await untrusted.run(["stats"]);
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toContain(
      `Redis at localhost:${port} is unreachable: self-signed certificate in certificate chain`,
    );
    server.kill("SIGKILL");
  }, 30_000);
});
