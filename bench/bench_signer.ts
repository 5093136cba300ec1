/**
 * SigV4 request headers for the gateway bench, signed by an independent signer (@smithy/signature-v4) with
 * `x-amz-content-sha256: UNSIGNED-PAYLOAD`, so a body can be streamed without hashing it first, and presigned
 * (query-string) GET URLs, so a load generator such as wrk can fetch a private object without signing each
 * request. One signer is reused (it caches the derived signing key); the body is never handed to it.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

/** Validity of presigned URLs: long enough for any bench run, well under S3's 7-day cap. */
const PRESIGNED_EXPIRES_SECONDS = 3600;

/** Access key pair the bench signs with. */
export interface BenchCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Signs S3 requests for one set of credentials in region us-east-1. */
export class BenchSigner {
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

  /** Headers (including `host` and `authorization`) for `method url` carrying `headers`. */
  async headers(
    method: string,
    url: URL,
    headers: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    const signed = await this.#signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers },
    });
    return signed.headers;
  }

  /** A presigned `GET url`, valid for an hour, signing only the `host` header. */
  async presignedGetUrl(url: URL): Promise<URL> {
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
    }, { expiresIn: PRESIGNED_EXPIRES_SECONDS });
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
