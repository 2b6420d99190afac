import type { Features, PlayProofFeatureName } from "./features.js";
import type { ExtraFeatureName } from "./features-grid.js";
import type { ShapeFeatureName } from "./features-shape.js";
import { roundFeature } from "./round-feature.js";

/**
 * The rounded feature row, written out as one object literal in column order (FEATURE_COLUMNS,
 * EXTRA_FEATURE_COLUMNS, SHAPE_FEATURE_COLUMNS; test/telemetry/features-row.test.ts checks the
 * order). Issue 10: filling the row with a loop over the column names took 53 keyed stores per
 * session; a literal gives V8 one fixed shape. The golden test pins the key order as well.
 */
export function roundedRow(
  p: Readonly<Record<PlayProofFeatureName, number>>,
  e: Readonly<Record<ExtraFeatureName, number>>,
  s: Readonly<Record<ShapeFeatureName, number>>,
): Features {
  return {
    durationMs: roundFeature(p.durationMs),
    totalMoves: roundFeature(p.totalMoves),
    totalClicks: roundFeature(p.totalClicks),
    avgSpeed: roundFeature(p.avgSpeed),
    maxSpeed: roundFeature(p.maxSpeed),
    medianSpeed: roundFeature(p.medianSpeed),
    speedStd: roundFeature(p.speedStd),
    speedP95: roundFeature(p.speedP95),
    avgAccel: roundFeature(p.avgAccel),
    maxAccel: roundFeature(p.maxAccel),
    accelStd: roundFeature(p.accelStd),
    jerkStd: roundFeature(p.jerkStd),
    avgJerk: roundFeature(p.avgJerk),
    numDirectionChanges: roundFeature(p.numDirectionChanges),
    directionChangeRate: roundFeature(p.directionChangeRate),
    smallJitterRatio: roundFeature(p.smallJitterRatio),
    pathEfficiency: roundFeature(p.pathEfficiency),
    totalDistance: roundFeature(p.totalDistance),
    numPausesOver200ms: roundFeature(p.numPausesOver200ms),
    pauseTimeRatio: roundFeature(p.pauseTimeRatio),
    avgPauseDuration: roundFeature(p.avgPauseDuration),
    overshootEvents: roundFeature(p.overshootEvents),
    clickAccuracy: roundFeature(p.clickAccuracy),
    avgClickDistance: roundFeature(p.avgClickDistance),
    controlSmoothnessScore: roundFeature(p.controlSmoothnessScore),
    curvatureVariance: roundFeature(p.curvatureVariance),
    avgInterMoveTime: roundFeature(p.avgInterMoveTime),
    interMoveTimeStd: roundFeature(p.interMoveTimeStd),
    gridSpeedCv: roundFeature(e.gridSpeedCv),
    gridTurnMean: roundFeature(e.gridTurnMean),
    gridStraightShare: roundFeature(e.gridStraightShare),
    gridSpeedJerk: roundFeature(e.gridSpeedJerk),
    gridTurnFlipShare: roundFeature(e.gridTurnFlipShare),
    gridTurnP90: roundFeature(e.gridTurnP90),
    gridAccelShare: roundFeature(e.gridAccelShare),
    gridMovingSteps: roundFeature(e.gridMovingSteps),
    dtJitter: roundFeature(e.dtJitter),
    shapeTurnJerk: roundFeature(s.shapeTurnJerk),
    shapeTurnJerkAbs: roundFeature(s.shapeTurnJerkAbs),
    shapeResid: roundFeature(s.shapeResid),
    shapeResidMed: roundFeature(s.shapeResidMed),
    shapePeaks: roundFeature(s.shapePeaks),
    shapePeakPos: roundFeature(s.shapePeakPos),
    shapePeakPosStd: roundFeature(s.shapePeakPosStd),
    shapeSym: roundFeature(s.shapeSym),
    shapeSpeedRatio: roundFeature(s.shapeSpeedRatio),
    coarseResid: roundFeature(s.coarseResid),
    coarseResidMed: roundFeature(s.coarseResidMed),
    coarsePeaks: roundFeature(s.coarsePeaks),
    coarsePeakPosStd: roundFeature(s.coarsePeakPosStd),
    dtCv: roundFeature(s.dtCv),
    dtOutShare: roundFeature(s.dtOutShare),
    microShare: roundFeature(s.microShare),
  };
}

/**
 * A record of `columns` for an extractor to fill in place (issue 10: the extractor's three
 * intermediate records were new objects every session; a reused one is written field by field).
 * Every value is NaN until filled.
 */
export function blankRecord<K extends string>(columns: readonly K[]): Record<K, number> {
  const record = {} as Record<K, number>;
  for (const c of columns) record[c] = Number.NaN;
  return record;
}
