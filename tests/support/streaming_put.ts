/**
 * A signed PUT whose body is streamed with a fixed Content-Length. Deno's `fetch` sends stream bodies
 * chunked (without Content-Length), which S3 refuses, so this goes through `node:http`.
 */
import http from "node:http";
import { signedHeaders } from "./signed_fetch.ts";

/** Outcome of a streaming PUT. */
export interface StreamingPutResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** PUTs `contentLength` bytes pulled from `source` to `url`, signed with UNSIGNED-PAYLOAD. */
export async function streamingPut(
  url: string,
  contentLength: number,
  source: AsyncIterable<Uint8Array>,
  extraHeaders: Record<string, string> = {},
): Promise<StreamingPutResult> {
  const target = new URL(url);
  const headers = await signedHeaders(url, {
    method: "PUT",
    headers: { "content-length": String(contentLength), ...extraHeaders },
  });
  return await new Promise<StreamingPutResult>((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: Number(target.port),
      method: "PUT",
      path: target.pathname + target.search,
      headers,
    }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => body += text);
      response.on(
        "end",
        () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    (async () => {
      for await (const chunk of source) {
        if (!request.write(chunk)) await new Promise((drained) => request.once("drain", drained));
      }
      request.end();
    })().catch((error) => {
      request.destroy(error);
      reject(error);
    });
  });
}
