/**
 * A private redis-server (Debian's binary) for fault tests (issue 11): on a free loopback port,
 * in the foreground as our child (the test owns its pid), its config, data and log in a temp
 * dir. A test can stop it (SIGSTOP), resume it, kill it (SIGKILL) and restart it on the same
 * port and dir (an append-only file is loaded again). Servers still running when the file's tests
 * end are killed (afterAll), and so are they when the test process exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll } from "vitest";
import { type Availability, describeWhen } from "./redis.js";

export interface RedisServerOptions {
  /** appendonly yes (default no). */
  appendonly?: boolean;
  /** appendfsync (default everysec, Redis's own). */
  appendfsync?: "always" | "everysec";
  /** A password for the default user. */
  requirepass?: string;
  /** An ACL user with every permission (`user <name> on ><pass> ~* &* +@all`). */
  aclUser?: { name: string; pass: string };
  /** Where the config, data and log go; default a fresh temp dir, removed by shutdown(). */
  dir?: string;
  /** The `save` setting (default "": no RDB snapshots). */
  save?: string;
  /** More config lines, as written (e.g. `rename-command CONFIG ""`, as managed services do). */
  extra?: string[];
}

export interface RedisAuth {
  user?: string;
  pass: string;
}

export interface PrivateRedis {
  readonly port: number;
  readonly dir: string;
  readonly logfile: string;
  /** The running (or stopped) server's pid; undefined once killed or shut down. */
  readonly pid: number | undefined;
  /** `redis://[user:pass@]127.0.0.1:<port>/0[?prefix=<prefix>]`. */
  url(prefix?: string, auth?: RedisAuth): string;
  /** SIGSTOP: the port stays open, nothing answers. */
  stop(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGKILL; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Kills it if running, starts it again on the same port, dir and config; resolves on PONG. */
  restart(): Promise<void>;
  /** Kills it and removes the dir when it was ours. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * The redis-server binary: PLAYPROOF_REDIS_SERVER when set (only that), else
 * /usr/bin/redis-server (Debian's), else the first on PATH.
 */
export function redisServerBinary(): string | undefined {
  const chosen = process.env.PLAYPROOF_REDIS_SERVER;
  if (chosen) {
    try {
      accessSync(chosen, constants.X_OK);
      return chosen;
    } catch {
      return undefined;
    }
  }
  const dirs = ["/usr/bin", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  for (const d of dirs) {
    const candidate = join(d, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

async function binaryStatus(): Promise<Availability> {
  return redisServerBinary()
    ? { ok: true }
    : {
        ok: false,
        why: `no redis-server binary at ${process.env.PLAYPROOF_REDIS_SERVER || "/usr/bin or on PATH"} (apt-get install redis-server)`,
      };
}

/** A suite that starts private servers: fails in CI without the binary, skips visibly elsewhere. */
export function describeRedisServer(name: string, fn: () => void): void {
  describeWhen(binaryStatus, "the redis-server binary", name, fn);
}

/** A loopback port that was free a moment ago (bound to port 0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const resp = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/**
 * Sends (AUTH and) PING over a raw connection and resolves with what came back, e.g.
 * "+PONG\r\n", "-LOADING ...", "-NOAUTH ..."; rejects when it cannot connect or nothing comes
 * back within `ms`.
 */
export function rawPing(port: number, auth?: RedisAuth, ms = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const lines = auth ? 2 : 1;
    let text = "";
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(text.split("\r\n").slice(0, lines).join("\r\n"));
    };
    const timer = setTimeout(() => done(new Error(`no answer to PING in ${ms} ms`)), ms);
    socket.on("error", (err) => done(err));
    socket.on("connect", () => {
      const authArgs = auth ? (auth.user ? [auth.user, auth.pass] : [auth.pass]) : undefined;
      socket.write((authArgs ? resp("AUTH", ...authArgs) : "") + resp("PING"));
    });
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
      if (text.split("\r\n").length > lines) done();
    });
  });
}

const quote = (s: string) => `"${s.replace(/[\\"]/g, "\\$&")}"`;

function configText(port: number, dir: string, logfile: string, o: RedisServerOptions): string {
  const lines = [
    `port ${port}`,
    "bind 127.0.0.1",
    "daemonize no",
    `dir ${quote(dir)}`,
    `logfile ${quote(logfile)}`,
    `save ${quote(o.save ?? "")}`,
    `appendonly ${o.appendonly ? "yes" : "no"}`,
    `appendfsync ${o.appendfsync ?? "everysec"}`,
  ];
  if (o.requirepass !== undefined) lines.push(`requirepass ${quote(o.requirepass)}`);
  if (o.aclUser) lines.push(`user ${o.aclUser.name} on ${quote(`>${o.aclUser.pass}`)} ~* &* +@all`);
  lines.push(...(o.extra ?? []));
  return `${lines.join("\n")}\n`;
}

const live = new Set<ChildProcess>();
let exitHook = false;

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill("SIGKILL");
    } catch {}
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  stderr: () => string;
}

function spawnServer(bin: string, conf: string): Running {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", killAllNow);
  }
  const child = spawn(bin, [conf], { stdio: ["ignore", "ignore", "pipe"] });
  live.add(child);
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
    child.once("error", (err) => {
      stderr += `${err.message}\n`;
      live.delete(child);
      resolve();
    });
  });
  return { child, exited, stderr: () => stderr };
}

async function logTail(logfile: string): Promise<string> {
  const text = await readFile(logfile, "utf8").catch(() => "");
  return text.split("\n").slice(-8).join("\n");
}

/**
 * Waits until the server answers PONG (after loading its data: PING answers -LOADING until
 * then). Throws when the process exits first or after `ms`.
 */
async function waitReady(
  run: Running,
  port: number,
  auth: RedisAuth | undefined,
  logfile: string,
  ms = 10_000,
) {
  const end = Date.now() + ms;
  let exited = false;
  void run.exited.then(() => {
    exited = true;
  });
  let last = "";
  for (;;) {
    if (exited) {
      throw new Error(
        `redis-server on port ${port} exited before answering PING:\n${run.stderr()}${await logTail(logfile)}`,
      );
    }
    try {
      last = await rawPing(port, auth, 500);
      if (last.endsWith("+PONG")) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) {
      throw new Error(
        `redis-server on port ${port} did not answer PONG in ${ms} ms (last: ${last})`,
      );
    }
    await sleep(20);
  }
}

const servers = new Set<PrivateRedis>();

afterAll(async () => {
  await Promise.all([...servers].map((s) => s.shutdown()));
});

/** Starts a private redis-server and resolves once it answers PONG. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<PrivateRedis> {
  const bin = redisServerBinary();
  if (!bin) throw new Error("no redis-server binary (apt-get install redis-server)");
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "ppb-redis-")));
  const logfile = join(dir, "redis.log");
  const conf = join(dir, "redis.conf");
  const readyAuth: RedisAuth | undefined =
    options.requirepass !== undefined ? { pass: options.requirepass } : undefined;

  // The port may be taken between freePort() and the server's bind: try another then.
  let port = 0;
  let run: Running | undefined;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await writeFile(conf, configText(port, dir, logfile, options));
    run = spawnServer(bin, conf);
    try {
      await waitReady(run, port, readyAuth, logfile);
      break;
    } catch (err) {
      run.child.kill("SIGKILL");
      await run.exited;
      const inUse = /Address already in use/.test(`${(err as Error).message}`);
      if (!inUse || attempt >= 3) {
        if (ownDir) await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  let current: Running | undefined = run;
  let closed = false;
  const kill = async () => {
    const r = current;
    current = undefined;
    if (!r) return;
    r.child.kill("SIGKILL");
    await r.exited;
  };
  const server: PrivateRedis = {
    port,
    dir,
    logfile,
    get pid() {
      return current?.child.pid;
    },
    url(prefix?: string, auth?: RedisAuth) {
      const cred = auth
        ? `${encodeURIComponent(auth.user ?? "")}:${encodeURIComponent(auth.pass)}@`
        : "";
      const query = prefix === undefined ? "" : `?prefix=${encodeURIComponent(prefix)}`;
      return `redis://${cred}127.0.0.1:${port}/0${query}`;
    },
    stop() {
      if (!current) throw new Error("redis-server is not running");
      current.child.kill("SIGSTOP");
    },
    resume() {
      if (!current) throw new Error("redis-server is not running");
      current.child.kill("SIGCONT");
    },
    kill,
    async restart() {
      if (closed) throw new Error("redis-server was shut down");
      await kill();
      const r = spawnServer(bin, conf);
      current = r;
      await waitReady(r, port, readyAuth, logfile);
    },
    async shutdown() {
      await kill();
      if (closed) return;
      closed = true;
      servers.delete(server);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
  servers.add(server);
  return server;
}
