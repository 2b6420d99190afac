import type { IncomingMessage } from "node:http";
import { HttpError } from "./status.js";

const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
const size = (n: number) => (n >= 1024 * 1024 ? mib(n) : `${Math.ceil(n / 1024)} KiB`);

const EMPTY = Buffer.alloc(0);
/** A body declared over the limit but within this many limits is read and dropped first. */
const DRAIN_LIMIT_FACTOR = 4;

/**
 * The whole body, or 413 as soon as it passes `limit` (by Content-Length before reading, or
 * while reading a chunked one). Read whole before anything is queued, so a body refused for
 * its size queues nothing (issue 12).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "BODY_TOO_LARGE", `request body is larger than ${size(limit)}`, {
      connection: "close",
    });
  const length = req.headers["content-length"];
  // No body (most GETs): no stream to iterate (issue 12: per-request cost of GET /result).
  if ((length === undefined || length === "0") && !("transfer-encoding" in req.headers))
    return EMPTY;
  const declared = Number(length);
  if (Number.isFinite(declared) && declared > limit) {
    // A client still writing a body of moderate size reads the 413 only if it may finish: a
    // socket closed under it fails its write (EPIPE) before it sees the answer. Larger ones
    // are cut off at once (the request timeout bounds a slow one either way).
    if (declared <= DRAIN_LIMIT_FACTOR * limit) for await (const _ of req);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/** `type/subtype` of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | undefined): string | undefined {
  const t = header?.split(";")[0]?.trim().toLowerCase();
  return t ? t : undefined;
}

/** A JSON object body (optional: empty means `{}`); 400 when it is not one. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, "BAD_JSON", `request body is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new HttpError(400, "BAD_JSON", "request body must be a JSON object");
  return value as Record<string, unknown>;
}
