/**
 * The peer figures of the issue "Erasure coding and the data path at hardware speed": one large object
 * PUT to and GET from s3rver (s3rver_peer.ts), with the client and signer of the gateway rows, each beside
 * the raw `Deno.serve` figure of the same run. s3rver and its temp dir are gone when this returns (before
 * the gateway runs, so its dirty pages are dropped rather than written back under the gateway's figures).
 * When s3rver cannot be fetched or started, or fails a transfer, both figures are NaN with the reason in
 * the unit column (printed `-`); the bench goes on.
 */
import type { Baselines } from "./baselines.ts";
import { type BenchRow, rowBeside } from "./bench_table.ts";
import type { BenchSizes } from "./bench_sizes.ts";
import { BenchSigner } from "./bench_signer.ts";
import { getLargeObject, putLargeObject } from "./large_transfer.ts";
import { missingRow } from "./missing_figure.ts";
import { findS3rver, S3RVER_CREDENTIALS, S3RVER_PACKAGE, S3rverPeer } from "./s3rver_peer.ts";

/** Names of the rows this bench prints. */
export const S3RVER_ROWS = { put: "s3rver PUT stream", get: "s3rver GET stream" } as const;

/** The s3rver PUT and GET rows, measured or missing. */
export interface S3rverRows {
  readonly put: BenchRow;
  readonly get: BenchRow;
}

const BUCKET = "bench";
const LARGE_KEY = "large/object";

/** Measures s3rver's large PUT and GET; never throws for a peer that is missing or failing. */
export async function runS3rverBench(baselines: Baselines, sizes: BenchSizes): Promise<S3rverRows> {
  const found = await findS3rver();
  if ("reason" in found) return missing(found.reason, found.detail);
  const dir = await Deno.makeTempDir({ prefix: "objstore-s3rver-bench-" });
  try {
    await using peer = await S3rverPeer.start(found.script, dir);
    progress(`${S3RVER_PACKAGE} listening at ${peer.url}`);
    const signer = new BenchSigner(S3RVER_CREDENTIALS);
    await createBucket(peer.url, signer);
    const url = new URL(`${peer.url}/${BUCKET}/${LARGE_KEY}`);
    const put = await putLargeObject("s3rver", url, signer, sizes);
    progress(`PUT ${sizes.transferLabel} at ${put.toFixed(3)} GB/s`);
    const get = await getLargeObject("s3rver", url, signer, sizes);
    progress(`GET ${sizes.transferLabel} at ${get.toFixed(3)} GB/s (best of ${sizes.largeGets})`);
    return {
      put: rowBeside(S3RVER_ROWS.put, put, baselines.upload),
      get: rowBeside(S3RVER_ROWS.get, get, baselines.download),
    };
  } catch (error) {
    return missing("s3rver failed", (error as Error).message);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function createBucket(base: string, signer: BenchSigner): Promise<void> {
  const url = new URL(`${base}/${BUCKET}`);
  const response = await fetch(url, { method: "PUT", headers: await signer.headers("PUT", url) });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`s3rver CreateBucket ${BUCKET}: expected 200, got ${response.status}: ${text}`);
  }
}

function missing(reason: string, detail: string): S3rverRows {
  progress(`no figures (${reason}): ${detail}`);
  return {
    put: missingRow(S3RVER_ROWS.put, "GB/s", reason),
    get: missingRow(S3RVER_ROWS.get, "GB/s", reason),
  };
}

function progress(message: string): void {
  console.error(`s3rver bench: ${message}`);
}
