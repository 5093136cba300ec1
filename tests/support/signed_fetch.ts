/** `fetch` signed with SigV4 by an independent signer (@smithy/signature-v4), for raw-wire tests. */
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { TEST_CREDENTIALS } from "./cluster.ts";

/** Options of a signed request. */
export interface SignedFetchInit {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array<ArrayBuffer> | string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Payload hash to claim (`UNSIGNED-PAYLOAD` by default). */
  readonly payloadHash?: string;
}

/** Sends a SigV4-signed request to `url` (buffered bodies; see `streamingPut` for streams). */
export async function signedFetch(url: string, init: SignedFetchInit): Promise<Response> {
  const headers = await signedHeaders(url, init);
  return await fetch(url, { method: init.method, headers, body: init.body } as RequestInit);
}

/** The headers of a SigV4-signed request to `url` (the body, if a stream, is not hashed). */
export async function signedHeaders(url: string, init: SignedFetchInit): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: "s3",
    region: "us-east-1",
    credentials: init.credentials ?? TEST_CREDENTIALS,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const headers: Record<string, string> = {
    host: target.host,
    "x-amz-content-sha256": init.payloadHash ?? "UNSIGNED-PAYLOAD",
    ...init.headers,
  };
  const signed = await signer.sign({
    method: init.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query,
    headers,
    body: init.body,
  });
  return signed.headers;
}
