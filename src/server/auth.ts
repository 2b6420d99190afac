import { createHash, timingSafeEqual } from "node:crypto";

/** Hosts that only this machine can reach (issue 12: no token needed to read there). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * `Authorization: Bearer <token>` against the configured token, in constant time: both sides
 * are hashed first, so neither the token's length nor a common prefix shows in the timing.
 */
export function bearerMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  const given = m?.[1] ?? "";
  const equal = timingSafeEqual(digest(expected), digest(given));
  return equal && given !== "";
}
