/**
 * One large object PUT and GET against any S3 endpoint, with the same client for every server so their
 * figures compare: the PUT writes a fixed Content-Length body straight to a socket (socket_put.ts), the
 * GET drains the body through `fetch` (best of `largeGets`); both are signed by `BenchSigner` with
 * UNSIGNED-PAYLOAD.
 */
import { expectBytes } from "./baselines.ts";
import { type BenchSizes, STREAM_CHUNK_BYTES } from "./bench_sizes.ts";
import type { BenchSigner } from "./bench_signer.ts";
import { randomBytes } from "./byte_streams.ts";
import { socketPut } from "./socket_put.ts";
import { gigabytesPerSecond } from "./timing.ts";

/** PUTs `sizes.transferBytes` to `url` and returns GB/s (signing included); fails unless it gets 200. */
export async function putLargeObject(
  what: string,
  url: URL,
  signer: BenchSigner,
  sizes: BenchSizes,
): Promise<number> {
  const chunk = randomBytes(STREAM_CHUNK_BYTES);
  const startedMs = performance.now();
  const headers = await signer.headers("PUT", url, { "content-length": String(sizes.transferBytes) });
  const result = await socketPut(url, headers, sizes.transferBytes, chunk, sizes.transferTimeoutMs);
  if (result.status !== 200) {
    throw new Error(`${what} PUT of ${sizes.transferBytes} bytes: expected 200, got:\n${result.response}`);
  }
  return gigabytesPerSecond(sizes.transferBytes, (performance.now() - startedMs) / 1000);
}

/**
 * GETs `url` `sizes.largeGets` times, draining each body, and returns the best GB/s; fails unless every GET is a
 * 200 of `sizes.transferBytes`.
 */
export async function getLargeObject(
  what: string,
  url: URL,
  signer: BenchSigner,
  sizes: BenchSizes,
): Promise<number> {
  let best = 0;
  for (let round = 0; round < sizes.largeGets; round++) {
    const startedMs = performance.now();
    const response = await fetch(url, {
      headers: await signer.headers("GET", url),
      signal: AbortSignal.timeout(sizes.transferTimeoutMs),
    });
    await expectBytes(response, sizes.transferBytes, `${what} GET of ${sizes.transferLabel}`);
    best = Math.max(best, gigabytesPerSecond(sizes.transferBytes, (performance.now() - startedMs) / 1000));
  }
  return best;
}
