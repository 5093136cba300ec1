/**
 * The one place a process learns it should stop. SIGINT and SIGTERM listeners are installed once and
 * stay until the process exits: `deno task` at times forwards one SIGINT twice, and Ctrl-C in a
 * terminal reaches every process of the group as well. Were a listener removed while a clean stop is
 * still running (or between its end and `Deno.exit`), such a repeat would fall back to the default
 * action and kill the process with status 130 half-way through stopping its children.
 */

let requested: Promise<void> | null = null;

/**
 * Resolves at the first SIGINT or SIGTERM this process receives. Every call shares the same
 * listeners; later signals are absorbed, since stopping is already under way.
 */
export function stopRequested(): Promise<void> {
  if (requested === null) {
    requested = new Promise<void>((resolve) => {
      Deno.addSignalListener("SIGINT", () => resolve());
      Deno.addSignalListener("SIGTERM", () => resolve());
    });
  }
  return requested;
}
