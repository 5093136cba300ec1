/**
 * The S3 gateway as a Hono app: every request is authenticated, parsed into an `S3Operation`, and
 * dispatched to its handler; `onError` is the one place that renders an S3 error body. Every response
 * carries `x-amz-request-id`.
 */
import { Hono } from "hono";
import { type Logger, toHex } from "../storage/mod.ts";
import { authenticateRequest, plainAnonymous, rawRequestTarget, SigningKeyCache } from "./auth/mod.ts";
import { renderErrorXml, toS3Error } from "./error_response.ts";
import {
  aclHandlers,
  bucketHandlers,
  deleteObjects,
  listHandlers,
  multipartHandlers,
  objectHandlers,
  policyHandlers,
} from "./handlers/mod.ts";
import { PolicyMemo } from "./policy/mod.ts";
import type { GatewayConnection, GatewayServices, RequestContext, S3Owner } from "./request_context.ts";
import { S3Error } from "./s3_errors.ts";
import { parseOperation, parseTarget, type S3Operation, type S3OperationName } from "./s3_operation.ts";

type Handler<N extends S3OperationName> = (
  ctx: RequestContext<Extract<S3Operation, { name: N }>>,
) => Promise<Response>;

/** Every operation's handler; the type makes the table exhaustive. */
const HANDLERS: { [N in S3OperationName]: Handler<N> } = {
  ListBuckets: bucketHandlers.listBuckets,
  CreateBucket: bucketHandlers.createBucket,
  DeleteBucket: bucketHandlers.deleteBucket,
  HeadBucket: bucketHandlers.headBucket,
  GetBucketLocation: bucketHandlers.getBucketLocation,
  GetBucketAcl: aclHandlers.getBucketAcl,
  PutBucketAcl: aclHandlers.putBucketAcl,
  GetBucketPolicy: policyHandlers.getBucketPolicy,
  PutBucketPolicy: policyHandlers.putBucketPolicy,
  DeleteBucketPolicy: policyHandlers.deleteBucketPolicy,
  GetObjectAcl: aclHandlers.getObjectAcl,
  PutObjectAcl: aclHandlers.putObjectAcl,
  ListObjects: listHandlers.listObjects,
  ListObjectsV2: listHandlers.listObjectsV2,
  PutObject: objectHandlers.putObject,
  GetObject: objectHandlers.getObject,
  HeadObject: objectHandlers.headObject,
  DeleteObject: objectHandlers.deleteObject,
  DeleteObjects: deleteObjects,
  CreateMultipartUpload: multipartHandlers.createMultipartUpload,
  UploadPart: multipartHandlers.uploadPart,
  CompleteMultipartUpload: multipartHandlers.completeMultipartUpload,
  AbortMultipartUpload: multipartHandlers.abortMultipartUpload,
  ListParts: multipartHandlers.listParts,
};

/** Hono environment: the connection info passed as `app.fetch(request, connection)`, the request id. */
type Env = { Bindings: GatewayConnection };

/**
 * Where unsigned GETs find the Prometheus metrics. A signed GET of this path is a listing of a bucket
 * named "metrics", a name the gateway reserves so the two never meet.
 */
export const METRICS_PATH = "/metrics";

/** True when a request carries SigV4 credentials (header or presigned query). */
function carriesCredentials(request: Request, params: URLSearchParams): boolean {
  return request.headers.has("authorization") || params.has("X-Amz-Signature") ||
    params.has("X-Amz-Credential");
}

/**
 * Builds the gateway's HTTP app. Serve it with `app.fetch(request, { remoteAddr })` so policies can test
 * the caller's address; without it `aws:SourceIp` is absent.
 */
export function createGatewayApp(services: GatewayServices, logger: Logger): Hono<Env> {
  const app = new Hono<Env>();
  const signingKeys = new SigningKeyCache();
  const policies = new PolicyMemo();

  // Request ids: 6 random hex digits per gateway start, then a counter (10 hex digits). Unique per
  // gateway run and far cheaper per request than drawing random bytes.
  const idPrefix = toHex(crypto.getRandomValues(new Uint8Array(3))).toUpperCase();
  let requestCount = 0;
  // Request id by request, for the error handler (cheaper than a Hono context variable per request).
  const requestIds = new WeakMap<Request, string>();

  // One handler, no middleware: every layer costs on the hot cached-GET path (measured with wrk).
  app.all("*", async function s3Request(c) {
    requestCount = (requestCount + 1) % 0x10000000000;
    const requestId = idPrefix + requestCount.toString(16).toUpperCase().padStart(10, "0");
    requestIds.set(c.req.raw, requestId);
    // c.env is undefined when the app is driven without connection info (app.request in tests).
    const sourceIp = (c.env as GatewayConnection | undefined)?.remoteAddr?.hostname ?? null;
    const response = await serveS3(c.req.raw, requestId, sourceIp);
    response.headers.set("x-amz-request-id", requestId);
    return response;
  });

  async function serveS3(request: Request, requestId: string, sourceIp: string | null): Promise<Response> {
    const target = rawRequestTarget(request.url);
    // Parsing the URL is deferred: most requests (a cached GET) never need it.
    let parsedUrl: URL | undefined;
    const requestUrl = () => parsedUrl ??= new URL(request.url);
    const params = new URLSearchParams(target.query);
    if (request.method === "GET" && target.path === METRICS_PATH && !carriesCredentials(request, params)) {
      return new Response(services.metricsText(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    const auth = plainAnonymous(request) ?? await authenticateRequest(request, {
      get host() {
        return requestUrl().host;
      },
    }, {
      region: services.region,
      nowMs: services.nowMs(),
      signingKeys,
      lookupSecretKey: async (accessKeyId) => (await services.lookupUser(accessKeyId))?.secretKey ?? null,
    });
    let owner: S3Owner | null = null;
    if (auth.accessKeyId !== null) {
      const user = await services.lookupUser(auth.accessKeyId);
      if (user === null) {
        throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist");
      }
      owner = user.owner;
    }
    const host = request.headers.get("host") ?? requestUrl().host;
    const operation = parseOperation(
      request.method,
      parseTarget(host, target.path, services.baseDomain),
      params,
    );
    const ctx: RequestContext = {
      request,
      get url() {
        return requestUrl();
      },
      params,
      operation,
      auth,
      owner,
      services,
      requestId,
      sourceIp,
      policies,
    };
    const handler = HANDLERS[operation.name] as Handler<S3OperationName>;
    return await handler(ctx as RequestContext<never>);
  }

  app.onError(function s3ErrorResponse(error, c) {
    const { s3, internal } = toS3Error(error);
    const requestId = requestIds.get(c.req.raw) ?? "";
    const path = rawRequestTarget(c.req.url).path;
    if (internal) logger.error("request failed", { requestId, method: c.req.method, path, error });
    else logger.debug("request refused", { requestId, code: s3.code, message: s3.message });
    const body = c.req.method === "HEAD" ? null : renderErrorXml(s3, path, requestId);
    const headers = new Headers({ "content-type": "application/xml", "x-amz-request-id": requestId });
    if (s3.code === "InvalidRange" && s3.details.ActualObjectSize !== undefined) {
      headers.set("content-range", `bytes */${s3.details.ActualObjectSize}`);
    }
    return new Response(body, { status: s3.status, headers });
  });

  return app;
}
