import { afterAll, beforeAll, beforeEach } from "vitest";
import { ServiceError } from "../../src/errors.js";
import { createWoodwideClient, type WoodwideClientOptions } from "../../src/woodwide/client.js";
import type { RetryHooks } from "../../src/woodwide/retrying.js";
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

/**
 * A client that tries each call once: for tests of how ONE answer is classified, polled or
 * parsed. In-place retries (issue 14) are tested on their own (test/woodwide/retry-in-place).
 */
export const ONE_TRY: RetryHooks = { options: { maxTries: 1 } };

/** useFakeServer plus a client of it (ONE_TRY unless `client` says otherwise), closed after all tests. */
export function useFakeWoodwide(
  start: Partial<FakeSettings> = {},
  reset: Partial<FakeSettings> = {},
  client: Partial<WoodwideClientOptions> = { retry: ONE_TRY },
) {
  const server = useFakeServer(start, reset);
  const ctx = {} as { fake: FakeWoodwide; client: WoodwideClient };
  beforeAll(() => {
    ctx.fake = server.fake;
    ctx.client = createWoodwideClient({
      baseUrl: ctx.fake.url,
      apiKey: ctx.fake.apiKey,
      timeoutMs: 2000,
      ...client,
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
