/**
 * Counters and gauges in Prometheus text format. One `Metrics` registry per process, created at start
 * and passed down as an option (never module state); components register what they count.
 */

/** A monotonically increasing count. */
export class Counter {
  #value = 0;
  /** Adds `amount` (default 1). */
  inc(amount = 1): void {
    this.#value += amount;
  }
  /** Current value. */
  get value(): number {
    return this.#value;
  }
}

/** A value that goes up and down. */
export class Gauge {
  #value = 0;
  /** Sets the value. */
  set(value: number): void {
    this.#value = value;
  }
  /** Adds `amount` (negative to subtract). */
  add(amount: number): void {
    this.#value += amount;
  }
  /** Current value. */
  get value(): number {
    return this.#value;
  }
}

interface Registered {
  readonly kind: "counter" | "gauge";
  readonly help: string;
  readonly metric: Counter | Gauge;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A registry of named metrics that renders the Prometheus exposition format. */
export class Metrics {
  readonly #metrics = new Map<string, Registered>();

  /** The counter `name` (created on first use). */
  counter(name: string, help: string): Counter {
    return this.#register(name, "counter", help, () => new Counter()) as Counter;
  }

  /** The gauge `name` (created on first use). */
  gauge(name: string, help: string): Gauge {
    return this.#register(name, "gauge", help, () => new Gauge()) as Gauge;
  }

  /** Current value of `name`, or undefined when it is not registered. */
  valueOf(name: string): number | undefined {
    return this.#metrics.get(name)?.metric.value;
  }

  /** Every metric in Prometheus text format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const [name, { kind, help, metric }] of [...this.#metrics].sort(([a], [b]) => (a < b ? -1 : 1))) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${kind}`, `${name} ${metric.value}`);
    }
    return lines.join("\n") + "\n";
  }

  #register(name: string, kind: Registered["kind"], help: string, create: () => Counter | Gauge) {
    if (!METRIC_NAME.test(name)) throw new TypeError(`Invalid metric name ${JSON.stringify(name)}`);
    const existing = this.#metrics.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind) throw new TypeError(`Metric ${name} is a ${existing.kind}, not a ${kind}`);
      return existing.metric;
    }
    const metric = create();
    this.#metrics.set(name, { kind, help, metric });
    return metric;
  }
}
