/**
 * A strict reader of the Prometheus text exposition format (0.0.4), since prom-client has no
 * parser: every line must be a HELP, a TYPE, a sample or empty; a family's TYPE comes before its
 * samples, once; names, labels and values must be well formed. Throws on the first bad line.
 */
const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const VALUE = "(?:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|NaN|[-+]?Inf)";
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_RE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);

export interface PromFamily {
  type: string;
  help?: string;
  samples: Map<string, number>;
}

/** `samples` keys are the label sets as written, e.g. `{state="due"}`, or "" without labels. */
export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const family = (name: string, line: number) => {
    const f = families.get(name);
    if (!f) throw new Error(`line ${line}: sample of ${name} before its # TYPE`);
    return f;
  };
  let current = "";
  for (const [i, line] of text.split("\n").entries()) {
    const n = i + 1;
    if (line === "") continue;
    const help = HELP_RE.exec(line);
    const type = TYPE_RE.exec(line);
    const sample = SAMPLE_RE.exec(line);
    if (help) {
      const f = families.get(help[1]!);
      if (f?.help !== undefined) throw new Error(`line ${n}: second # HELP for ${help[1]}`);
      if (f) f.help = help[2]!;
      else families.set(help[1]!, { type: "untyped", help: help[2]!, samples: new Map() });
      current = help[1]!;
    } else if (type) {
      const f = families.get(type[1]!);
      if (f && (f.samples.size > 0 || f.type !== "untyped"))
        throw new Error(`line ${n}: # TYPE for ${type[1]} repeated or after its samples`);
      families.set(type[1]!, { ...(f ?? { samples: new Map() }), type: type[2]! });
      current = type[1]!;
    } else if (sample) {
      const [, name, labels = "", value] = sample;
      if (name !== current) throw new Error(`line ${n}: ${name} outside its family's group`);
      const f = family(name!, n);
      const key = labels ? `{${labels.replace(/,$/, "")}}` : "";
      if (f.samples.has(key)) throw new Error(`line ${n}: duplicate sample ${name}${key}`);
      f.samples.set(
        key,
        Number(value!.replace(/^\+?Inf$/, "Infinity").replace(/^-Inf$/, "-Infinity")),
      );
    } else throw new Error(`line ${n}: not Prometheus text format: ${JSON.stringify(line)}`);
  }
  return families;
}

/** One sample's value; throws when the family or the label set is missing. */
export function sample(families: Map<string, PromFamily>, name: string, labels = ""): number {
  const value = families.get(name)?.samples.get(labels);
  if (value === undefined) throw new Error(`no sample ${name}${labels}`);
  return value;
}
