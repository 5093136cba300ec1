/**
 * Smoke test of `deno task bench`: runs `bench/run_all.ts --quick` as a real subprocess and checks that
 * it exits 0 and prints every row of the table. Figures are not checked: timing asserts would flake.
 */
import { assert } from "../tests/support/asserts.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** A quick run takes seconds; this bound only stops a hung run from hanging the suite. */
const RUN_TIMEOUT_MS = 180_000;

const ROW_NAMES = [
  "memcpy",
  "raw upload",
  "raw upload (fetch, chunked)",
  "raw download",
  "raw 4KiB GET",
  "raw 4KiB PUT",
  "erasure encode 6+3",
  "erasure reconstruct 3 data",
  "@ronomon/reed-solomon encode 6+3",
  "erasure encode 6+3 vs @ronomon",
  "block checksum CRC32 (node:zlib)",
  "checksum CRC32C (ours)",
  "MD5 (node:crypto)",
  "SHA-256 (node:crypto)",
  "s3rver PUT stream",
  "s3rver GET stream",
  "gateway PUT stream",
  "gateway GET stream",
  "gateway GET, shards over HTTP",
  "gateway PUT stream vs raw",
  "gateway GET stream vs raw",
  "gateway 4KiB PUT",
  "gateway 4KiB GET",
  "nginx 4KiB GET (wrk)",
  "raw 4KiB GET (wrk)",
  "gateway 4KiB GET cached (wrk)",
  "gateway 4KiB GET presigned (wrk)",
  "gateway 4KiB GET cold (wrk)",
  "cold 1 MiB, 1000 concurrent GETs: worker reads",
  "1 MiB range of 1 GiB: bytes from workers",
  "edge cache hit ratio TinyLFU (Zipf + scan)",
];

Deno.test("bench/run_all.ts --quick exits 0 and prints every row", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", `${ROOT}deno.json`, `${ROOT}bench/run_all.ts`, "--quick"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearTimeout(timer);
  assert(status.success, `Expected exit code 0, got ${status.code}:\n${stderr}\n${stdout}`);
  const names = stdout.split("\n").map((line) => line.split(" | ")[0].trim());
  for (const name of ROW_NAMES) {
    assert(names.includes(name), `Expected a row named ${JSON.stringify(name)} in:\n${stdout}`);
  }
});
