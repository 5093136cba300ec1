/** Reads the gateway's Prometheus metrics (an unsigned GET /metrics) into a name → value map. */

/** Current metric values of the gateway at `endpoint`. */
export async function scrapeMetrics(endpoint: string): Promise<Map<string, number>> {
  const response = await fetch(`${endpoint}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [name, value] = line.split(" ");
    values.set(name, Number(value));
  }
  return values;
}

/** The change of `name` between two scrapes. */
export function delta(before: Map<string, number>, after: Map<string, number>, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}
