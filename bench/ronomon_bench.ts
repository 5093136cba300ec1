/**
 * The native peer of the erasure rows: the C add-on `@ronomon/reed-solomon` (pinned to 6.0.0), encoding 6+3
 * with 1 MiB shards in Node.js, the same input bytes per call as `erasure_bench.ts`. The package is built
 * with node-gyp on first use into a cache directory (`$XDG_CACHE_HOME` or `~/.cache`, then
 * `objstore-bench/`), so later runs only measure. Where it does not build (no compiler, no Python, no
 * registry) both rows print `-` with the reason, and the bench goes on.
 */
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { missingRow } from "./missing_figure.ts";

/** The add-on version every run uses. */
export const RONOMON_PACKAGE = "@ronomon/reed-solomon@6.0.0";

/** Names of the rows this bench prints. */
export const RONOMON_ROWS = {
  peer: "@ronomon/reed-solomon encode 6+3",
  ours: "erasure encode 6+3 vs @ronomon",
} as const;

const DATA_SHARDS = 6;
const PARITY_SHARDS = 3;
const SHARD_BYTES = 1024 * 1024;
/** Bound on `npm install` (download and a C build). */
const INSTALL_TIMEOUT_MS = 300_000;
const MEASURE_TIMEOUT_MS = 120_000;

/**
 * Encodes in a loop with the add-on and prints `{"gigabytesPerSecond": …}`: untimed calls first (as the
 * erasure rows do), then the best of `reps` timed calls, each one `encode` of all data shards into all parity
 * shards, awaited before the next.
 */
const MEASURE_SCRIPT = `"use strict";
const ReedSolomon = require("@ronomon/reed-solomon");
const { randomBytes } = require("node:crypto");
const [k, m, shardBytes, reps, warmUps] = process.argv.slice(2).map(Number);
const context = ReedSolomon.create(k, m);
const data = randomBytes(k * shardBytes);
const parity = Buffer.alloc(m * shardBytes);
let sources = 0;
let targets = 0;
for (let i = 0; i < k + m; i++) i < k ? (sources |= 1 << i) : (targets |= 1 << i);
const encode = () => new Promise((resolve, reject) =>
  ReedSolomon.encode(context, sources, targets, data, 0, data.length, parity, 0, parity.length,
    (error) => error ? reject(error) : resolve()));
(async () => {
  for (let i = 0; i < warmUps; i++) await encode();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const started = process.hrtime.bigint();
    await encode();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  if (parity.every((byte) => byte === 0)) throw new Error("the add-on wrote no parity");
  process.stdout.write(JSON.stringify({ gigabytesPerSecond: data.length / best / 1e9 }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * The add-on's encode figure beside memcpy, and ours (`encode`, the `erasure encode 6+3` row) beside the
 * add-on's: a ratio above 1 means ours is ahead. Never throws for an add-on that cannot be built or run.
 */
export async function runRonomonBench(encode: BenchRow, memcpy: BenchRow, reps: number): Promise<BenchRow[]> {
  const measured = await measureRonomon(reps);
  if ("reason" in measured) {
    console.error(`ronomon bench: no figures (${measured.reason}): ${measured.detail}`);
    return [
      missingRow(RONOMON_ROWS.peer, "GB/s", measured.reason),
      missingRow(RONOMON_ROWS.ours, "GB/s", measured.reason),
    ];
  }
  const peer = rowBeside(RONOMON_ROWS.peer, measured.gigabytesPerSecond, memcpy);
  console.error(
    `ronomon bench: ${RONOMON_PACKAGE} encodes 6+3 at ${measured.gigabytesPerSecond.toFixed(2)} GB/s`,
  );
  return [peer, { ...rowBeside(RONOMON_ROWS.ours, encode.figure, peer), unit: "GB/s" }];
}

type Measured = { gigabytesPerSecond: number } | { reason: string; detail: string };

async function measureRonomon(reps: number): Promise<Measured> {
  const dir = await installDir();
  if ("reason" in dir) return dir;
  const script = `${dir.path}/measure.cjs`;
  await Deno.writeTextFile(script, MEASURE_SCRIPT);
  const args = [script, DATA_SHARDS, PARITY_SHARDS, SHARD_BYTES, reps, 64].map(String);
  const output = await run("node", args, dir.path, MEASURE_TIMEOUT_MS);
  if ("reason" in output) return output;
  try {
    const parsed = JSON.parse(output.stdout) as { gigabytesPerSecond?: unknown };
    if (typeof parsed.gigabytesPerSecond === "number" && parsed.gigabytesPerSecond > 0) {
      return { gigabytesPerSecond: parsed.gigabytesPerSecond };
    }
  } catch { /* reported below */ }
  return { reason: "bad output", detail: `the measuring script printed ${JSON.stringify(output.stdout)}` };
}

/** The cache directory with the add-on built in it, installing it there first if needed. */
async function installDir(): Promise<{ path: string } | { reason: string; detail: string }> {
  const cacheHome = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  const path = `${cacheHome}/objstore-bench/${RONOMON_PACKAGE.replace("/", "+")}`;
  const built = `${path}/node_modules/@ronomon/reed-solomon/binding.node`;
  if (await exists(built)) return { path };
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(`${path}/package.json`, JSON.stringify({ private: true }));
  console.error(`ronomon bench: building ${RONOMON_PACKAGE} in ${path} (once)`);
  const args = ["install", "--no-audit", "--no-fund", "--no-save", RONOMON_PACKAGE];
  const output = await run("npm", args, path, INSTALL_TIMEOUT_MS);
  if ("reason" in output) return { reason: "does not build here", detail: output.detail };
  if (!await exists(built)) {
    return { reason: "does not build here", detail: `npm install left no ${built}` };
  }
  return { path };
}

async function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ stdout: string } | { reason: string; detail: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, {
      args,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { reason: `${command} not installed`, detail: "" };
    return { reason: `${command} failed`, detail: (error as Error).message };
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    const stderr = decoder.decode(output.stderr).trim();
    return { reason: `${command} failed`, detail: `exit ${output.code}: ${stderr.slice(-800)}` };
  }
  return { stdout: decoder.decode(output.stdout).trim() };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
