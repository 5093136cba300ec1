/**
 * The edge cache's admission policies compared in process: the hit ratio of TinyLFU beside plain LRU
 * on the same Zipf + scan trace (tests/support/zipf_scan_trace.ts), each through a real `EdgeCache` sized for 200 of
 * the trace's 100-byte objects. No server is involved; the figures are exact and repeatable.
 */
import { Metrics } from "../storage/mod.ts";
import { type AdmissionPolicy, EdgeCache } from "../tiers/mod.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import { zipfScanTrace } from "../tests/support/zipf_scan_trace.ts";

/** Names of the rows this bench prints. */
export const EDGE_ADMISSION_ROWS = {
  tinylfu: "edge cache hit ratio TinyLFU (Zipf + scan)",
  lru: "edge cache hit ratio LRU (Zipf + scan)",
} as const;

const OBJECT_BYTES = 100;
const CACHED_OBJECTS = 200;
const UNIT = "hit ratio";

/** One row: TinyLFU's hit ratio beside LRU's (the baseline) on the same trace. */
export async function runEdgeAdmissionBench(): Promise<BenchRow> {
  const trace = zipfScanTrace();
  const lru: BenchRow = { name: EDGE_ADMISSION_ROWS.lru, figure: await hitRatio("lru", trace), unit: UNIT };
  const tinylfu = await hitRatio("tinylfu", trace);
  console.error(
    `edge admission bench: ${trace.length} requests, hit ratio TinyLFU ${tinylfu.toFixed(3)}, ` +
      `LRU ${lru.figure.toFixed(3)}`,
  );
  return rowBeside(EDGE_ADMISSION_ROWS.tinylfu, tinylfu, lru);
}

/** Hits / requests of an edge cache with `admission` replaying `trace`. */
async function hitRatio(admission: AdmissionPolicy, trace: readonly string[]): Promise<number> {
  const metrics = new Metrics();
  const edge = new EdgeCache({
    maxBytes: CACHED_OBJECTS * OBJECT_BYTES,
    maxObjectBytes: OBJECT_BYTES,
    admission,
    metrics,
  });
  const body = new Uint8Array(OBJECT_BYTES);
  const load = () => Promise.resolve(body);
  for (const id of trace) await edge.getOrLoad(id, OBJECT_BYTES, load);
  return (metrics.valueOf("objstore_edge_cache_hits_total") ?? 0) / trace.length;
}
