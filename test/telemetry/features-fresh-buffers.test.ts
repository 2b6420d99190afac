import { describe, expect, it } from "vitest";
import { extractFeatures } from "../../src/telemetry/features.js";

// Issue 10: the extractor writes into module-level buffers grown to fit ("room made once", then
// values written by index). Vitest gives each test file its own modules, so here they start at
// their first size: these tests are the first to fill them. Keep them in a file of their own.
/** sqrt(1/2) to the 6 significant digits features keep. */
const SQRT_HALF = Number(Math.SQRT1_2.toPrecision(6));

describe("the extractor on buffers it has not grown yet (issue 10)", () => {
  it("sorts a path given in reverse time order before measuring it", () => {
    const forward = Array.from({ length: 40 }, (_, k) => ({
      x: 3 * k + (k % 3),
      y: 2 * k - (k % 5),
      timestamp: 17 * k,
    }));
    const reversed = [...forward].reverse();
    const a = extractFeatures({ sessionId: "r", movements: reversed, clicks: [] });
    const b = extractFeatures({ sessionId: "f", movements: forward, clicks: [] });
    expect(a).toEqual(b);
    expect(a.totalDistance).toBeGreaterThan(100);
  });

  it("a 3,000-point zigzag logged every 100 ms: one stroke longer than any buffer's first size", () => {
    // Steps (10, +-10): every 100 ms step 14.14 px, every turn +-90 degrees. On the 50 ms grid the
    // midpoints add steps of 7.07 px and turns of 0 between the vertices' +-90.
    const movements = Array.from({ length: 3000 }, (_, k) => ({
      x: 10 * k,
      y: 10 * (k % 2),
      timestamp: 100 * k,
    }));
    const f = extractFeatures({ sessionId: "z", movements, clicks: [] });
    expect({
      gridSpeedCv: f.gridSpeedCv,
      gridTurnMean: f.gridTurnMean,
      gridTurnFlipShare: f.gridTurnFlipShare,
      gridTurnP90: f.gridTurnP90,
      gridMovingSteps: f.gridMovingSteps,
      shapeTurnJerkAbs: f.shapeTurnJerkAbs,
      shapeTurnJerk: f.shapeTurnJerk,
      shapeResid: f.shapeResid,
      shapeResidMed: f.shapeResidMed,
      coarseResid: f.coarseResid,
      coarseResidMed: f.coarseResidMed,
    }).toEqual({
      gridSpeedCv: 0, // every step the same length
      gridTurnMean: 1.5708, // pi / 2
      gridTurnFlipShare: 1, // every turn the other way
      gridTurnP90: 1.5708,
      gridMovingSteps: 2999,
      shapeTurnJerkAbs: 1.5708, // 0 to +-90 and back: pi / 2 each time
      // pi / 2 over the mean turn (2998 vertices at pi / 2 among 5997 turns) + 0.01
      shapeTurnJerk: 1.97518,
      // A vertex sits 5 px off its neighbouring midpoints' chord, per 7.07 px step: 0.7071; a
      // midpoint sits on its chord: 0. Their mean, and the median of one more 0 than 0.7071.
      shapeResid: 0.353494,
      shapeResidMed: 0,
      // On the 100 ms grid a vertex sits 10 px off its neighbours' chord, per 14.14 px step.
      coarseResid: SQRT_HALF,
      coarseResidMed: SQRT_HALF,
    });
  });
});
