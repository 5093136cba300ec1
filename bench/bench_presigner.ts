/**
 * Presigned (query-string SigV4) GET URLs for the CDN-origin bench, made by an independent signer
 * (@smithy/signature-v4's `presign`), so a load generator such as wrk can fetch a private object
 * without signing each request. The payload is declared `UNSIGNED-PAYLOAD`, as S3 presigned URLs do.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import type { BenchCredentials } from "./bench_signer.ts";

/** Validity of each URL: long enough for any bench run, well under S3's 7-day cap. */
const EXPIRES_SECONDS = 3600;

/** Makes presigned GET URLs for one set of credentials in region us-east-1. */
export class BenchPresigner {
  readonly #signer: SignatureV4;

  constructor(credentials: BenchCredentials) {
    this.#signer = new SignatureV4({
      service: "s3",
      region: "us-east-1",
      credentials,
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** A presigned `GET url`, valid for an hour, signing only the `host` header. */
  async getUrl(url: URL): Promise<URL> {
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const presigned = await this.#signer.presign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    }, { expiresIn: EXPIRES_SECONDS });
    const pairs: string[] = [];
    for (const [name, value] of Object.entries(presigned.query ?? {})) {
      const values = Array.isArray(value) ? value : [value];
      for (const one of values) pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(one ?? "")}`);
    }
    const signed = new URL(url);
    signed.search = pairs.join("&");
    return signed;
  }
}
