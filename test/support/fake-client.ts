import { afterAll, beforeAll, beforeEach } from "vitest";
import { ServiceError } from "../../src/errors.js";
import { createWoodwideClient } from "../../src/woodwide/client.js";
import type { WoodwideClient } from "../../src/woodwide/types.js";
import type { FakeSettings } from "./fake-state.js";
import { type FakeWoodwide, startFakeWoodwide } from "./fake-woodwide.js";

/**
 * One fake Woodwide for a test file: started before all tests, closed after, and reset (faults
 * cleared, request log emptied, `reset` settings applied) before each test.
 */
export function useFakeServer(
  start: Partial<FakeSettings> = {},
  reset: Partial<FakeSettings> = {},
) {
  const ctx = {} as { fake: FakeWoodwide };
  beforeAll(async () => {
    ctx.fake = await startFakeWoodwide(start);
  });
  afterAll(() => ctx.fake.close());
  beforeEach(() => {
    ctx.fake.clearFaults();
    ctx.fake.requests.length = 0;
    Object.assign(ctx.fake.settings, reset);
  });
  return ctx;
}

/** useFakeServer plus a client of it, closed after all tests. */
export function useFakeWoodwide(
  start: Partial<FakeSettings> = {},
  reset: Partial<FakeSettings> = {},
) {
  const server = useFakeServer(start, reset);
  const ctx = {} as { fake: FakeWoodwide; client: WoodwideClient };
  beforeAll(() => {
    ctx.fake = server.fake;
    ctx.client = createWoodwideClient({
      baseUrl: ctx.fake.url,
      apiKey: ctx.fake.apiKey,
      timeoutMs: 2000,
    });
  });
  afterAll(() => ctx.client.close());
  return ctx;
}

/** Awaits a promise that must reject with a ServiceError, and returns that error. */
export async function failure(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ServiceError) return err;
  throw new Error(`expected a ServiceError, got ${String(err)}`);
}
