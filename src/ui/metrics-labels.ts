const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `--metrics-label k=v` (repeatable): a Prometheus label on every series; an error says why. */
export function parseMetricsLabels(values: string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    const name = eq < 0 ? v : v.slice(0, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || name.startsWith("__") || name === "queue")
      throw new Error(
        `--metrics-label: expected NAME=VALUE with a Prometheus label name (not queue, which is set), got ${v}`,
      );
    labels[name] = v.slice(eq + 1);
  }
  return labels;
}
