/**
 * The S3 gateway as a Hono app: every request is authenticated, parsed into an `S3Operation`, and
 * dispatched to its handler; `onError` is the one place that renders an S3 error body. Every response
 * carries `x-amz-request-id`.
 */
import { Hono } from "hono";
import { type BucketRecord, type Logger, toHex } from "../storage/mod.ts";
import {
  authenticateRequest,
  type AuthResult,
  plainAnonymous,
  rawRequestTarget,
  SigningKeyCache,
} from "./auth/mod.ts";
import { renderErrorXml, toS3Error } from "./error_response.ts";
import { ADMIN_PATH_PREFIX, adminRequest } from "./admin_api.ts";
import {
  aclHandlers,
  bucketHandlers,
  corsHandlers,
  deleteObjects,
  getObjectAttributes,
  lifecycleHandlers,
  listHandlers,
  multipartHandlers,
  objectHandlers,
  policyHandlers,
  postObject,
  restoreObject,
  taggingHandlers,
  versioningHandlers,
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
  GetBucketVersioning: versioningHandlers.getBucketVersioning,
  PutBucketVersioning: versioningHandlers.putBucketVersioning,
  ListObjectVersions: versioningHandlers.listObjectVersions,
  GetBucketCors: corsHandlers.getBucketCors,
  PutBucketCors: corsHandlers.putBucketCors,
  DeleteBucketCors: corsHandlers.deleteBucketCors,
  GetBucketLifecycleConfiguration: lifecycleHandlers.getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: lifecycleHandlers.putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: lifecycleHandlers.deleteBucketLifecycle,
  GetBucketTagging: taggingHandlers.getBucketTagging,
  PutBucketTagging: taggingHandlers.putBucketTagging,
  DeleteBucketTagging: taggingHandlers.deleteBucketTagging,
  GetObjectTagging: taggingHandlers.getObjectTagging,
  PutObjectTagging: taggingHandlers.putObjectTagging,
  DeleteObjectTagging: taggingHandlers.deleteObjectTagging,
  GetObjectAcl: aclHandlers.getObjectAcl,
  PutObjectAcl: aclHandlers.putObjectAcl,
  ListObjects: listHandlers.listObjects,
  ListObjectsV2: listHandlers.listObjectsV2,
  PutObject: objectHandlers.putObject,
  GetObject: objectHandlers.getObject,
  HeadObject: objectHandlers.headObject,
  DeleteObject: objectHandlers.deleteObject,
  DeleteObjects: deleteObjects,
  PostObject: postObject,
  GetObjectAttributes: getObjectAttributes,
  RestoreObject: restoreObject,
  CreateMultipartUpload: multipartHandlers.createMultipartUpload,
  ListMultipartUploads: multipartHandlers.listMultipartUploads,
  UploadPart: multipartHandlers.uploadPart,
  CompleteMultipartUpload: multipartHandlers.completeMultipartUpload,
  AbortMultipartUpload: multipartHandlers.abortMultipartUpload,
  ListParts: multipartHandlers.listParts,
};

/** Hono environment: the connection info passed as `app.fetch(request, connection)`. */
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
 * Request ids: 6 random hex digits per gateway start, then a 10-digit hex counter. Unique per gateway run
 * and far cheaper per request than drawing random bytes. The counter starts at 16^9 and wraps within
 * [16^9, 16^10), so it always has 10 digits and needs no padding.
 */
class RequestIds {
  static readonly #FIRST = 0x1000000000;
  static readonly #END = 0x10000000000;
  readonly #prefix = toHex(crypto.getRandomValues(new Uint8Array(3))).toUpperCase();
  #next = RequestIds.#FIRST;

  /** The next request id (16 upper-case hex digits). */
  next(): string {
    const id = this.#prefix + this.#next.toString(16).toUpperCase();
    this.#next = this.#next + 1 === RequestIds.#END ? RequestIds.#FIRST : this.#next + 1;
    return id;
  }
}

/** One request's context; a class so the lazy URL getter lives on the prototype, not per request. */
class GatewayRequestContext implements RequestContext {
  #url: URL | undefined;

  constructor(
    readonly request: Request,
    readonly params: URLSearchParams,
    readonly operation: S3Operation,
    readonly auth: AuthResult,
    readonly owner: S3Owner | null,
    readonly services: GatewayServices,
    readonly requestId: string,
    readonly connection: GatewayConnection | undefined,
    readonly policies: PolicyMemo,
  ) {}

  /** The request URL, parsed on first use: most requests (a cached GET) never need it. */
  get url(): URL {
    return this.#url ??= new URL(this.request.url);
  }

  /** The peer's address, read only by policies that test `aws:SourceIp`. */
  get sourceIp(): string | null {
    return this.connection?.remoteAddr?.hostname ?? null;
  }
}

/**
 * Builds the gateway's HTTP app. Serve it with `app.fetch(request, { remoteAddr })` so policies can test
 * the caller's address; without it `aws:SourceIp` is absent.
 */
export function createGatewayApp(services: GatewayServices, logger: Logger): Hono<Env> {
  const app = new Hono<Env>();
  const signingKeys = new SigningKeyCache();
  const policies = new PolicyMemo();
  const requestIds = new RequestIds();

  /** The S3 error response for `error` (also the place that logs unexpected failures). */
  function errorResponse(error: unknown, request: Request, requestId: string): Response {
    const { s3, internal } = toS3Error(error);
    const path = rawRequestTarget(request.url).path;
    if (internal) logger.error("request failed", { requestId, method: request.method, path, error });
    else logger.debug("request refused", { requestId, code: s3.code, message: s3.message });
    const body = request.method === "HEAD" ? null : renderErrorXml(s3, path, requestId);
    const headers = new Headers({ "content-type": "application/xml", "x-amz-request-id": requestId });
    if (s3.code === "InvalidRange" && s3.details.ActualObjectSize !== undefined) {
      headers.set("content-range", `bytes */${s3.details.ActualObjectSize}`);
    }
    for (const [name, value] of Object.entries(s3.headers)) headers.set(name, value);
    return new Response(body, { status: s3.status, headers });
  }

  // One handler, no middleware: every layer costs on the hot cached-GET path (measured with wrk). Errors
  // are rendered here rather than in onError, which would need the request id carried beside the request.
  app.all("*", async function s3Request(c) {
    const requestId = requestIds.next();
    // c.env is undefined when the app is driven without connection info (app.request in tests).
    const connection = c.env as GatewayConnection | undefined;
    const request = c.req.raw;
    let response: Response;
    try {
      response = await serveS3(request, requestId, connection);
      response.headers.set("x-amz-request-id", requestId);
    } catch (error) {
      response = errorResponse(error, request, requestId);
    }
    // A cross-origin request (not a preflight, answered whole by serveS3) gets its bucket's CORS headers.
    const origin = request.headers.get("origin");
    if (origin !== null && request.method !== "OPTIONS") await withCorsHeaders(request, origin, response);
    return response;
  });

  /** Adds the CORS headers of the addressed bucket's rules to `response`, if the bucket has any. */
  async function withCorsHeaders(request: Request, origin: string, response: Response): Promise<void> {
    let bucket: BucketRecord;
    try {
      const target = parseTarget(
        request.headers.get("host") ?? new URL(request.url).host,
        rawRequestTarget(request.url).path,
        services.baseDomain,
      );
      if (target.bucket === null) return;
      bucket = await services.buckets.get(target.bucket);
    } catch {
      return; // no (valid) bucket, no CORS rules
    }
    corsHandlers.addCorsHeaders(request, origin, bucket, response);
  }

  async function serveS3(
    request: Request,
    requestId: string,
    connection: GatewayConnection | undefined,
  ): Promise<Response> {
    const target = rawRequestTarget(request.url);
    const params = new URLSearchParams(target.query);
    if (request.method === "GET" && target.path === METRICS_PATH && !carriesCredentials(request, params)) {
      return new Response(services.metricsText(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    // Browsers send preflights without credentials: they are answered from the bucket's CORS rules alone.
    if (request.method === "OPTIONS") {
      const host = request.headers.get("host") ?? new URL(request.url).host;
      return await corsHandlers.corsPreflight(
        request,
        parseTarget(host, target.path, services.baseDomain).bucket,
        services,
      );
    }
    const auth = plainAnonymous(request) ?? await authenticateRequest(request, {
      // The Host header as sent is what SigV4 signs; the parsed URL only serves a request without one.
      get host() {
        return request.headers.get("host") ?? new URL(request.url).host;
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
    if (target.path.startsWith(ADMIN_PATH_PREFIX)) {
      return await adminRequest(request, target.path, params, auth.accessKeyId, services);
    }
    const host = request.headers.get("host") ?? new URL(request.url).host;
    const operation = parseOperation(
      request.method,
      parseTarget(host, target.path, services.baseDomain),
      params,
    );
    const ctx: RequestContext = new GatewayRequestContext(
      request,
      params,
      operation,
      auth,
      owner,
      services,
      requestId,
      connection,
      policies,
    );
    const handler = HANDLERS[operation.name] as Handler<S3OperationName>;
    return handler(ctx as RequestContext<never>);
  }

  // Only a failure outside s3Request (none is known) reaches here; it still gets an S3 error body.
  app.onError((error, c) => errorResponse(error, c.req.raw, requestIds.next()));

  return app;
}
