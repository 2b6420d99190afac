import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { loadWithoutSignalListeners, shutdownSignals } from "../../src/cli/shutdown-signals.js";

describe("shutdownSignals", () => {
  it("first signal: stop; second: kill; third: our handlers are gone", () => {
    const target = new EventEmitter();
    const s = shutdownSignals(target);
    target.emit("SIGTERM");
    expect([s.stop.aborted, s.kill.aborted]).toEqual([true, false]);
    target.emit("SIGINT");
    expect(s.kill.aborted).toBe(true);
    expect(target.listenerCount("SIGINT")).toBe(1);
    target.emit("SIGINT");
    expect(target.listenerCount("SIGINT") + target.listenerCount("SIGTERM")).toBe(0);
  });

  it("loading a module that re-raises signals keeps only the listeners that were there", async () => {
    const target = new EventEmitter();
    const ours = () => undefined;
    target.on("SIGINT", ours);
    const value = await loadWithoutSignalListeners(target, async () => {
      target.once("SIGINT", () => target.emit("SIGINT")); // when-exit's re-raise, in miniature
      target.on("SIGTERM", () => undefined);
      target.on("exit", () => undefined);
      return 42;
    });
    expect(value).toBe(42);
    expect(target.listeners("SIGINT")).toEqual([ours]);
    expect(target.listenerCount("SIGTERM")).toBe(0);
    expect(target.listenerCount("exit")).toBe(1); // its exit-time cleanup stays
  });
});
