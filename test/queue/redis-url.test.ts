import { describe, expect, it } from "vitest";
import { CliError } from "../../src/errors.js";
import { parseRedisUrl } from "../../src/queue/redis-url.js";

const parse = (url: string) => parseRedisUrl(url, "--queue");

function refusal(url: string): { message: string; exitCode: number } {
  try {
    parse(url);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return { message: (err as CliError).message, exitCode: (err as CliError).exitCode };
  }
  throw new Error(`${url} was accepted`);
}

describe("parseRedisUrl (issue 11)", () => {
  it("takes host, port, database, ACL user and password; the password never shows", () => {
    const t = parse("redis://queue:s%3Acret@redis.internal:6380/3?prefix=site-a");
    expect(t).toEqual({
      shown: "redis://queue:****@redis.internal:6380/3?prefix=site-a",
      address: "redis.internal:6380",
      prefix: "site-a",
      options: {
        host: "redis.internal",
        port: 6380,
        db: 3,
        connectTimeout: 5_000,
        commandTimeout: 10_000,
        username: "queue",
        password: "s:cret",
      },
    });
  });

  it("defaults: port 6379, database 0, prefix playproof; rediss:// turns TLS on for the host", () => {
    expect(parse("redis://127.0.0.1")).toMatchObject({
      address: "127.0.0.1:6379",
      prefix: "playproof",
      options: { port: 6379, db: 0 },
    });
    expect(parse("rediss://:pw@cache.example:6390?connectTimeout=250&commandTimeout=900")).toEqual({
      shown: "rediss://:****@cache.example:6390?connectTimeout=250&commandTimeout=900",
      address: "cache.example:6390",
      prefix: "playproof",
      options: {
        host: "cache.example",
        port: 6390,
        db: 0,
        connectTimeout: 250,
        commandTimeout: 900,
        password: "pw",
        tls: { servername: "cache.example" },
      },
    });
    expect(parse("redis://[::1]:6379/0").options).toMatchObject({ host: "::1" });
  });

  it("refuses what it would otherwise ignore or misread, exit 78, password hidden", () => {
    expect(refusal("redis://u:topsecret@h:6379/0?prefx=a")).toEqual({
      message:
        "--queue is redis://u:****@h:6379/0?prefx=a: unknown parameter prefx (known: prefix, connectTimeout, commandTimeout)",
      exitCode: 78,
    });
    expect(refusal("redis://h/abc").message).toBe(
      "--queue is redis://h/abc: the database must be a number, got /abc",
    );
    expect(refusal("redis://h?prefix=a%20b").message).toBe(
      "--queue is redis://h?prefix=a%20b: prefix must be 1-64 letters, digits, or . _ : -, got a b",
    );
    expect(refusal("redis://h?commandTimeout=0").message).toBe(
      "--queue is redis://h?commandTimeout=0: commandTimeout must be milliseconds > 0, got 0",
    );
    expect(refusal("http://h:6379").message).toBe(
      "--queue is http://h:6379: expected redis:// or rediss://",
    );
  });
});
