import { z } from "zod";
import {
  type Envelope,
  type EnvelopeCheck,
  formatPath,
  LABEL,
  type LabelRule,
  labelProblem,
  mismatch,
  SESSION_ID,
  useEnvelopeCheck,
} from "./schema.js";

/**
 * The envelope of a record as zod checks it: schema.ts's hand check accepts the common,
 * well-formed records, and everything else comes here, for zod's wording of the first problem.
 * Loaded on demand (schema.ts), so start-up never pays for zod.
 */

// Only the array-ness is zod's: the points are read after it (see readPoints for why).
const pointArray = () =>
  z.custom<unknown[]>((v) => Array.isArray(v), { error: (iss) => mismatch("an array", iss.input) });

const finite = () => z.number({ error: (iss) => mismatch("a number", iss.input) });
const nonNegative = () => finite().min(0, { error: (iss) => `must be >= 0, got ${iss.input}` });
const count = () => nonNegative().int({ error: (iss) => `expected an integer, got ${iss.input}` });
const label = (rule: LabelRule = LABEL) =>
  z.string({ error: (iss) => mismatch("a string", iss.input) }).superRefine((value, ctx) => {
    const problem = labelProblem(value, rule);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

// null is accepted as "absent" for optional fields: API serializers commonly write it.
const envelope = z.object(
  {
    sessionId: label(SESSION_ID),
    userId: label().nullish(),
    deploymentId: label().nullish(),
    gameType: label().nullish(),
    deviceType: label().nullish(),
    durationMs: nonNegative().nullish(),
    movements: pointArray(),
    clicks: pointArray().nullish(),
    hits: count().nullish(),
    misses: count().nullish(),
  },
  { error: (iss) => mismatch("a JSON object", iss.input) },
);

export const checkEnvelope: EnvelopeCheck = (value) => {
  const parsed = envelope.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data satisfies Envelope };
  const issue = parsed.error.issues[0]!;
  return { ok: false, error: `${formatPath(issue.path)}: ${issue.message}` };
};

useEnvelopeCheck(checkEnvelope);
