// The Redis torture run's own redis-server (issue 11): Debian's binary (or
// PLAYPROOF_REDIS_SERVER) on a free loopback port, appendonly yes + appendfsync always, its
// config, AOF and log in the run's temp dir; the harness SIGKILLs and restarts it mid-run.
// (test/support/redis-server.ts does the same for the tests; it needs vitest, this must not.)
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

function binary() {
  const candidates = process.env.PLAYPROOF_REDIS_SERVER
    ? [process.env.PLAYPROOF_REDIS_SERVER]
    : ["/usr/bin", ...(process.env.PATH ?? "").split(":")].map((d) => join(d, "redis-server"));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  throw new Error(
    "no redis-server binary (apt-get install redis-server, or PLAYPROOF_REDIS_SERVER)",
  );
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** "+PONG" (or the error line) from a raw PING; rejects when nothing answers within 500 ms. */
const ping = (port) =>
  new Promise((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" });
    const timer = setTimeout(() => s.destroy(new Error("no answer")), 500);
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on("connect", () => s.write("*1\r\n$4\r\nPING\r\n"));
    s.on("data", (d) => {
      clearTimeout(timer);
      s.destroy();
      resolve(d.toString("latin1").split("\r\n")[0]);
    });
  });

export async function startRedis(dir) {
  const bin = binary();
  const port = await freePort();
  const logfile = join(dir, "redis.log");
  const conf = join(dir, "redis.conf");
  await writeFile(
    conf,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      "daemonize no",
      `dir "${dir}"`,
      `logfile "${logfile}"`,
      'save ""',
      "appendonly yes",
      "appendfsync always",
      "",
    ].join("\n"),
  );
  let child;
  let exited;
  const launch = async () => {
    child = spawn(bin, [conf], { stdio: "ignore" });
    exited = new Promise((resolve) => child.once("exit", resolve));
    const end = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${await tail(logfile)}`);
      const answer = await ping(port).catch((err) => err.message);
      if (answer === "+PONG") return;
      if (Date.now() > end) throw new Error(`redis-server on ${port} never answered: ${answer}`);
      await sleep(20);
    }
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await exited;
  };
  process.on("exit", () => child?.kill("SIGKILL"));
  await launch();
  return {
    port,
    url: (query) => `redis://127.0.0.1:${port}/0?${query}`,
    /** SIGKILL, then the same port, config and dir: the append-only file is loaded again. */
    kill,
    restart: launch,
    shutdown: kill,
  };
}

async function tail(file) {
  return (await readFile(file, "utf8").catch(() => "")).split("\n").slice(-5).join("\n");
}
