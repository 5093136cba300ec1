/**
 * Objects for the cold-GET row of the CDN-origin bench: PUTs `count` fresh 4 KiB objects through the
 * gateway (SigV4-signed, a bounded number in flight) and returns one presigned GET path per object, so
 * wrk can fetch each object exactly once, its first GET after the PUT.
 */
import type { BenchCredentials } from "./bench_signer.ts";
import { BenchSigner } from "./bench_signer.ts";
import { expectBytes } from "./baselines.ts";
import { requestsPerSecond } from "./request_rate.ts";

/** PUTs in flight at once while filling the bucket. */
const PUT_CONCURRENCY = 16;
const PUT_TIMEOUT_MS = 30_000;

/** The presigned paths (path and query, no origin) of the objects, and the PUT rate it took. */
export interface ColdObjects {
  readonly paths: string[];
  readonly putsPerSecond: number;
}

/** PUTs `count` copies of `body` as `${prefix}${index}` in `bucket` and presigns a GET of each. */
export async function putColdObjects(
  endpoint: string,
  credentials: BenchCredentials,
  bucket: string,
  prefix: string,
  body: Uint8Array<ArrayBuffer>,
  count: number,
): Promise<ColdObjects> {
  const signer = new BenchSigner(credentials);
  const objectUrl = (index: number) => new URL(`${endpoint}/${bucket}/${prefix}${index}`);
  const putsPerSecond = await requestsPerSecond(count, PUT_CONCURRENCY, async (index) => {
    const url = objectUrl(index);
    const response = await fetch(url, {
      method: "PUT",
      headers: await signer.headers("PUT", url),
      body,
      signal: AbortSignal.timeout(PUT_TIMEOUT_MS),
    });
    await expectBytes(response, 0, `Gateway PUT of ${bucket}/${prefix}${index}`);
  });
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const url = await signer.presignedGetUrl(objectUrl(index));
    paths.push(url.pathname + url.search);
  }
  return { paths, putsPerSecond };
}
