/**
 * Runs Debian's `wrk` HTTP load generator as a child process and reads its summary back as numbers.
 * A Lua `done()` hook prints one JSON line, so nothing depends on wrk's human-readable layout. A
 * run with any non-2xx answer or socket error fails: a fast stream of 403s is not a figure.
 * Writes one Lua script per run into the caller's temp dir.
 */

/** How one wrk run loads the server: the same settings for every row that is compared. */
export interface WrkSettings {
  /** wrk threads (`-t`). */
  readonly threads: number;
  /** Open keep-alive connections (`-c`), each with one request in flight. */
  readonly connections: number;
  /** Run time in seconds (`-d`); a run with `paths` may stop earlier. */
  readonly durationSeconds: number;
}

/** What one wrk run measured. */
export interface WrkResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Marks the JSON line among wrk's own output. */
const JSON_PREFIX = "wrk-json: ";
/** Printed by the path-list script once it has its responses: the cue to interrupt wrk. */
const STOP_LINE = "wrk-stop";
/** How long past its duration a wrk run may take before it is killed. */
const KILL_MARGIN_MS = 30_000;

const DONE_HOOK = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '${JSON_PREFIX}{"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** True when `wrk` can be started (it is missing on many developer machines). */
export async function wrkAvailable(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdin: "null", stdout: "null", stderr: "null" })
      .output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Loads `url` for `settings.durationSeconds`. With `paths`, each request takes the next path (and
 * query) in order instead of `url`'s, and the run stops once `stopAfter` responses arrived, so no
 * path is fetched twice when `paths` holds at least `stopAfter + connections` entries.
 */
export async function runWrk(
  url: URL,
  settings: WrkSettings,
  scriptDir: string,
  paths: readonly string[] = [],
  stopAfter = 0,
): Promise<WrkResult> {
  if (paths.length > 0 && settings.threads !== 1) {
    throw new Error(
      `Expected 1 wrk thread with a path list (each thread walks its own copy), got ${settings.threads}`,
    );
  }
  if (paths.length > 0 && !(stopAfter >= 1 && paths.length >= stopAfter + settings.connections)) {
    throw new Error(
      `Expected at least stopAfter + connections = ${
        stopAfter + settings.connections
      } paths, got ${paths.length}`,
    );
  }
  const script = await Deno.makeTempFile({ dir: scriptDir, prefix: "wrk-", suffix: ".lua" });
  await Deno.writeTextFile(script, (paths.length > 0 ? pathsHook(paths, stopAfter) : "") + DONE_HOOK);
  const args = [
    `-t${settings.threads}`,
    `-c${settings.connections}`,
    `-d${settings.durationSeconds}s`,
    `--timeout=${Math.max(2, settings.durationSeconds)}s`,
    "-s",
    script,
    url.href,
  ];
  const { code, stdout, stderr } = await spawnWrk(args, settings.durationSeconds);
  const line = stdout.split("\n").find((text) => text.startsWith(JSON_PREFIX));
  if (code !== 0 || line === undefined) {
    throw new Error(`wrk exited with ${code} and no summary line:\n${stderr}\n${stdout}`);
  }
  return parseSummary(line.slice(JSON_PREFIX.length), stdout);
}

/**
 * Runs wrk and interrupts it (SIGINT: wrk then prints its summary over the time it actually ran)
 * when a script prints STOP_LINE, because wrk's main thread otherwise sleeps the full `-d` even
 * after every thread stopped. SIGKILL after the duration plus a margin stops a hung wrk.
 */
async function spawnWrk(
  args: string[],
  durationSeconds: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("wrk", { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => signalQuietly(child, "SIGKILL"), durationSeconds * 1000 + KILL_MARGIN_MS);
  let stdout = "";
  let interrupted = false;
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    stdout += text;
    if (!interrupted && stdout.includes(`\n${STOP_LINE}\n`)) {
      interrupted = true;
      signalQuietly(child, "SIGINT");
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  return { code: status.code, stdout, stderr: await stderr };
}

function signalQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already exited */ }
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  non2xx: number;
  socketErrors: number;
  p50Us: number;
  p99Us: number;
}

function parseSummary(json: string, stdout: string): WrkResult {
  const summary = JSON.parse(json) as WrkSummary;
  if (summary.non2xx > 0 || summary.socketErrors > 0) {
    throw new Error(
      `wrk saw ${summary.non2xx} non-2xx answers and ${summary.socketErrors} socket errors in ` +
        `${summary.requests} requests; expected none:\n${stdout}`,
    );
  }
  if (!(summary.requests > 0 && summary.durationUs > 0)) {
    throw new Error(`wrk completed ${summary.requests} requests in ${summary.durationUs} µs:\n${stdout}`);
  }
  return {
    requests: summary.requests,
    requestsPerSecond: summary.requests / (summary.durationUs / 1e6),
    p50Ms: summary.p50Us / 1000,
    p99Ms: summary.p99Us / 1000,
  };
}

/** Lua hooks that walk `paths` once, stop the thread after `stopAfter` responses and say so. */
function pathsHook(paths: readonly string[], stopAfter: number): string {
  const table = paths.map((path) => `  ${luaString(path)},`).join("\n");
  return `
local paths = {
${table}
}
local next_path = 0
local responses = 0
request = function()
  next_path = math.min(next_path + 1, #paths)
  return wrk.format("GET", paths[next_path])
end
response = function(status, headers, body)
  responses = responses + 1
  if responses == ${stopAfter} then
    wrk.thread:stop()
    io.write("\\n${STOP_LINE}\\n")
    io.flush()
  end
end
`;
}

/** A Lua string literal of `text` (paths here are ASCII: percent-encoded keys and queries). */
function luaString(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) {
    throw new Error(`Expected a printable ASCII path, got ${JSON.stringify(text)}`);
  }
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
