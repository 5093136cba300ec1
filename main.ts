/**
 * Entry point of every role: `main.ts gateway`, `main.ts worker`, `main.ts dev` (what `deno task dev`
 * runs), and `main.ts admin` (`deno task admin`: access keys of users, through a running gateway).
 * Configuration mistakes print one line naming the setting and exit with status 2.
 */
import {
  ConfigError,
  loadAdminConfig,
  loadDevConfig,
  loadGatewayConfig,
  loadWorkerConfig,
  processConfigSource,
  runAdminCommand,
  runDevCluster,
  startGateway,
  startWorker,
  stopRequested,
} from "./deploy/mod.ts";

const USAGE = "usage: main.ts gateway|worker|dev|admin [--flag value ...]";

async function main(args: string[]): Promise<number> {
  const [role, ...rest] = args;
  const source = processConfigSource(rest);
  try {
    switch (role) {
      case "gateway":
        logUnhandledRejections();
        {
          const config = await loadGatewayConfig(source);
          return await runUntilSignal(await startGateway(config), config.exitWithParent);
        }
      case "worker":
        logUnhandledRejections();
        {
          const config = loadWorkerConfig(source);
          return await runUntilSignal(await startWorker(config), config.exitWithParent);
        }
      case "dev":
        return await runDevCluster(loadDevConfig(source), {
          mainModule: new URL(import.meta.url).pathname,
          configFile: new URL("./deno.json", import.meta.url).pathname,
        });
      case "admin": {
        const [action, ...flags] = rest;
        return await runAdminCommand(action, loadAdminConfig(processConfigSource(flags)));
      }
      default:
        console.error(role === undefined ? USAGE : `Unknown role ${JSON.stringify(role)}; ${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`objstore: configuration error in ${error.setting}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

/**
 * A promise rejection nobody handled is a bug, but in a server it usually concerns one request: log
 * it loudly and keep serving the others instead of letting Deno end the process.
 */
function logUnhandledRejections(): void {
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    const reason = event.reason instanceof Error
      ? event.reason.stack ?? event.reason.message
      : String(event.reason);
    console.error(
      JSON.stringify({ t: new Date().toISOString(), level: "error", message: "unhandled rejection", reason }),
    );
  });
}

/** Serves until SIGINT or SIGTERM (or the parent's end), then shuts down cleanly; repeats are ignored. */
async function runUntilSignal(
  process: { shutdown(): Promise<void>; finished: Promise<void> },
  exitWithParent: boolean,
): Promise<number> {
  const stops: Promise<void>[] = [stopRequested(), process.finished];
  if (exitWithParent) {
    // The parent holds our stdin open; end of input means it is gone (even if it was SIGKILLed).
    stops.push(
      (async () => {
        for await (const _ of Deno.stdin.readable) { /* nothing is sent; we only wait for the end */ }
      })().catch(() => {}),
    );
  }
  await Promise.race(stops);
  await process.shutdown();
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
