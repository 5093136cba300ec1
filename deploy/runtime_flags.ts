/**
 * V8 flags every server process (gateway and worker) is started with, by the dev cluster, the test cluster and
 * the deployment guide's commands.
 *
 * `--no-concurrent-marking`: V8 marks the heap on background threads by default, which pays on a machine
 * with idle cores. A server streaming large objects allocates a fresh buffer per block (a response chunk
 * cannot be reused: `Deno.serve` gives no signal when it has been written), so external memory grows by a
 * gigabyte per gigabyte served and V8 starts a major collection every few dozen megabytes. With marking on
 * background threads, those threads competed with the request path for the cores: on a 2-core machine, over
 * sixteen 1 GiB GETs each, the gateway spent 0.60–1.20 CPU-s per GET (mean 0.84) with it and 0.62–0.93 (mean
 * 0.72) without (incremental marking on the main thread, still in small steps). See
 * docs/performance-analysis.md.
 */
export const SERVER_V8_FLAGS: readonly string[] = ["--no-concurrent-marking"];

/** `SERVER_V8_FLAGS` as one `deno run` argument. */
export function serverV8FlagsArgument(): string {
  return `--v8-flags=${SERVER_V8_FLAGS.join(",")}`;
}
