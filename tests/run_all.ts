/**
 * The whole test suite (`deno task test`): formatting, lint, type check, every Deno test (unit,
 * integration, architecture, benchmark smoke) and the end-to-end script with awscli and rclone.
 * Ends with the line `N passed, M failed` and exits non-zero when anything failed.
 */

const ROOT = new URL("../", import.meta.url).pathname;
const DENO = Deno.execPath();

interface StageResult {
  readonly passed: number;
  readonly failed: number;
}

async function run(name: string, command: string, args: string[], env: Record<string, string> = {}) {
  console.log(`\n=== ${name}: ${command === DENO ? "deno" : command} ${args.join(" ")}`);
  const child = new Deno.Command(command, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO: DENO, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: (text: string) => void) => {
    for await (const chunk of stream) {
      const text = decoder.decode(chunk, { stream: true });
      output += text;
      sink(text);
    }
  };
  const write = (target: typeof Deno.stdout) => (text: string) =>
    target.writeSync(new TextEncoder().encode(text));
  await Promise.all([pump(child.stdout, write(Deno.stdout)), pump(child.stderr, write(Deno.stderr))]);
  const status = await child.status;
  return { ok: status.success, output };
}

/** A tool check counts as one test. */
async function toolStage(name: string, args: string[]): Promise<StageResult> {
  const { ok } = await run(name, DENO, args);
  return ok ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** Deno tests count each test and each step. */
async function denoTestStage(): Promise<StageResult> {
  const { ok, output } = await run("deno test", DENO, ["test", "--allow-all", "--no-check=remote"]);
  const summary = output.match(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/g)
    ?.at(-1);
  if (summary === undefined) return { passed: 0, failed: 1 };
  const [, passed, passedSteps, failed, failedSteps] = summary.match(
    /(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/,
  )!;
  const result = {
    passed: Number(passed) + Number(passedSteps ?? 0),
    failed: Number(failed) + Number(failedSteps ?? 0),
  };
  return !ok && result.failed === 0 ? { ...result, failed: 1 } : result;
}

/** An end-to-end script prints `PASS: …` and `FAIL: …` lines. */
async function e2eStage(script: string): Promise<StageResult> {
  const { ok, output } = await run(`end-to-end ${script}`, "bash", [script]);
  const passed = output.split("\n").filter((line) => line.startsWith("PASS: ")).length;
  const failed = output.split("\n").filter((line) => line.startsWith("FAIL: ")).length;
  return { passed, failed: failed === 0 && !ok ? 1 : failed };
}

const stages: StageResult[] = [];
stages.push(await toolStage("deno fmt --check", ["fmt", "--check"]));
stages.push(await toolStage("deno lint", ["lint"]));
stages.push(await toolStage("deno check", ["check", "main.ts", "tests/", "bench/"]));
stages.push(await denoTestStage());
const scripts: string[] = [];
for await (const entry of Deno.readDir(`${ROOT}tests/e2e`)) {
  // `*_lib.sh` files are sourced by the scripts, not run.
  if (entry.isFile && entry.name.endsWith(".sh") && !entry.name.endsWith("_lib.sh")) {
    scripts.push(`tests/e2e/${entry.name}`);
  }
}
for (const script of scripts.sort()) stages.push(await e2eStage(script));
const passed = stages.reduce((sum, stage) => sum + stage.passed, 0);
const failed = stages.reduce((sum, stage) => sum + stage.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
