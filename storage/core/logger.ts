/** A small structured logger: one JSON line per event on stderr, so stdout stays for the dev contract. */

/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** Writes structured log lines at or above a minimum level. */
export class Logger {
  readonly #minLevel: LogLevel;
  readonly #component: string;

  constructor(component: string, minLevel: LogLevel = "info") {
    this.#component = component;
    this.#minLevel = minLevel;
  }

  /** A logger for a sub-component that shares this logger's level. */
  child(component: string): Logger {
    return new Logger(`${this.#component}.${component}`, this.#minLevel);
  }

  /** Logs at debug level. */
  debug(message: string, fields?: LogFields): void {
    this.#write("debug", message, fields);
  }
  /** Logs at info level. */
  info(message: string, fields?: LogFields): void {
    this.#write("info", message, fields);
  }
  /** Logs at warn level. */
  warn(message: string, fields?: LogFields): void {
    this.#write("warn", message, fields);
  }
  /** Logs at error level. */
  error(message: string, fields?: LogFields): void {
    this.#write("error", message, fields);
  }

  #write(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.#minLevel]) return;
    const line = { t: new Date().toISOString(), level, component: this.#component, message, ...fields };
    console.error(JSON.stringify(line, errorReplacer));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
