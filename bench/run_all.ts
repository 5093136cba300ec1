/**
 * `deno task bench`: the machine's limits (memcpy, bare Deno.serve), then the erasure codec (beside the native
 * add-on `@ronomon/reed-solomon` where it builds), the checksums, the s3rver
 * peer, the whole gateway path, the CDN-origin rows (wrk against gateway, nginx and Deno.serve), the
 * edge-tier rows (worker reads of merged cold GETs and of a range, each beside its limit; TinyLFU beside
 * LRU) and the lifecycle rows (transitions beside CopyObject, disk bytes per logical byte of each pool), printed as one
 * table where every figure sits beside the limit or peer it is a fraction of.
 * `--quick` shrinks sizes and counts for a smoke run. Every server it starts is stopped before it exits.
 */
import { baselineRows, runBaselines } from "./baselines.ts";
import { benchSizes } from "./bench_sizes.ts";
import { formatTable } from "./bench_table.ts";
import { runCdnOriginBench } from "./cdn_origin_bench.ts";
import { runChecksumBench } from "./checksum_bench.ts";
import { runEdgeTierBench } from "./edge_tier_bench.ts";
import { ENCODE_ROW, runErasureBench } from "./erasure_bench.ts";
import { runGatewayBench } from "./gateway_bench.ts";
import { runLifecycleBench } from "./lifecycle_bench.ts";
import { showGaps } from "./missing_figure.ts";
import { runRonomonBench } from "./ronomon_bench.ts";
import { runS3rverBench } from "./s3rver_bench.ts";

/** Runs every benchmark in sequence and returns the printed table. */
export async function runAll(quick: boolean): Promise<string> {
  const sizes = benchSizes(quick);
  const startedMs = performance.now();
  const elapsed = () => `${((performance.now() - startedMs) / 1000).toFixed(1)} s`;
  console.error(
    `bench: ${quick ? "quick" : "full"} run, large transfers of ${sizes.transferLabel}, ` +
      `${sizes.concurrency} small requests in flight, ${navigator.hardwareConcurrency} cores`,
  );
  const baselines = await runBaselines(sizes);
  console.error(`bench: baselines done at ${elapsed()}`);
  const erasure = runErasureBench(baselines.memcpy, sizes.reps);
  const encode = erasure.find((row) => row.name === ENCODE_ROW)!;
  const ronomon = await runRonomonBench(encode, baselines.memcpy, sizes.reps);
  console.error(`bench: erasure done at ${elapsed()}`);
  const checksums = runChecksumBench(baselines.memcpy, sizes.reps);
  const s3rver = await runS3rverBench(baselines, sizes);
  console.error(`bench: s3rver done at ${elapsed()}`);
  const gateway = await runGatewayBench(baselines, sizes, s3rver);
  console.error(`bench: gateway done at ${elapsed()}`);
  const cdnOrigin = await runCdnOriginBench(quick);
  console.error(`bench: cdn origin done at ${elapsed()}`);
  const edgeTier = await runEdgeTierBench(quick);
  console.error(`bench: edge tier done at ${elapsed()}`);
  const lifecycle = await runLifecycleBench(quick);
  console.error(`bench: lifecycle done at ${elapsed()}`);
  return showGaps(formatTable([
    ...baselineRows(baselines),
    ...erasure,
    ...ronomon,
    ...checksums,
    s3rver.put,
    s3rver.get,
    ...gateway,
    ...cdnOrigin,
    ...edgeTier,
    ...lifecycle,
  ]));
}

if (import.meta.main) {
  const unknown = Deno.args.filter((arg) => arg !== "--quick");
  if (unknown.length > 0) {
    console.error(`Unknown argument ${JSON.stringify(unknown[0])}; usage: run_all.ts [--quick]`);
    Deno.exit(2);
  }
  console.log(await runAll(Deno.args.includes("--quick")));
  // Every server and temp dir is gone by now, but TestCluster.start leaves its 60 s readiness timers
  // armed (tests/support/cluster.ts), which would keep this process alive for a minute after the table.
  Deno.exit(0);
}
