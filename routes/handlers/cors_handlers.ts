/**
 * Bucket CORS: Put/Get/DeleteBucketCors (owner only), the preflight answer (`OPTIONS`, before and without
 * authentication, as browsers send it) and the CORS headers added to actual cross-origin responses.
 */
import type { BucketRecord } from "../../storage/mod.ts";
import { authorizeBucket } from "../access_control.ts";
import {
  corsResponseHeaders,
  corsRulesFromDocument,
  matchingCorsRule,
  renderCorsConfiguration,
  requestedHeaderNames,
} from "../cors.ts";
import type { GatewayServices, RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** The stored rules must leave the bucket record well inside Deno KV's 64 KiB value limit. */
const MAX_CORS_JSON_BYTES = 48 * 1024;

/** PutBucketCors: validates the `<CORSConfiguration>` (nothing stored when invalid) and replaces the rules. */
export async function putBucketCors(ctx: Op<"PutBucketCors">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketCORS");
  const root = await readXmlBody(ctx, "CORSConfiguration");
  if (root === null) throw new S3Error("MalformedXML", "The request needs a <CORSConfiguration> document");
  const rules = corsRulesFromDocument(root);
  if (new TextEncoder().encode(JSON.stringify(rules)).length > MAX_CORS_JSON_BYTES) {
    throw new S3Error("MalformedXML", `The CORS configuration is larger than ${MAX_CORS_JSON_BYTES} bytes`);
  }
  await ctx.services.buckets.setCors(bucket, rules);
  return new Response(null, { status: 200 });
}

/** GetBucketCors: the rules; `NoSuchCORSConfiguration` when the bucket has none. */
export async function getBucketCors(ctx: Op<"GetBucketCors">): Promise<Response> {
  const bucket = await authorizeBucket(ctx, ctx.operation.bucket, "owner", "s3:GetBucketCORS");
  if (bucket.cors.length === 0) {
    throw new S3Error("NoSuchCORSConfiguration", "The CORS configuration does not exist", {
      BucketName: bucket.name,
    });
  }
  return xmlResponse(renderCorsConfiguration(bucket.cors));
}

/** DeleteBucketCors: 204 whether or not the bucket had rules (S3 governs it by s3:PutBucketCORS). */
export async function deleteBucketCors(ctx: Op<"DeleteBucketCors">): Promise<Response> {
  const { bucket } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:PutBucketCORS");
  await ctx.services.buckets.setCors(bucket, []);
  return new Response(null, { status: 204 });
}

/**
 * The answer to a CORS preflight for `bucket`: 200 with the matching rule's headers, 403 when CORS is not
 * enabled or no rule allows the origin, method and headers, 400 without `Origin` or
 * `Access-Control-Request-Method`, `NoSuchBucket` for a missing bucket.
 */
export async function corsPreflight(
  request: Request,
  bucket: string | null,
  services: GatewayServices,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const method = request.headers.get("access-control-request-method");
  if (origin === null) {
    throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  }
  if (method === null) throw new S3Error("BadRequest", "Invalid Access-Control-Request-Method: null");
  if (bucket === null) throw new S3Error("AccessForbidden", "CORSResponse: Bucket not found");
  const record = await services.buckets.get(bucket);
  if (record.cors.length === 0) {
    throw new S3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", {
      Method: method,
      ResourceType: "BUCKET",
    });
  }
  const requestHeaders = requestedHeaderNames(request.headers.get("access-control-request-headers"));
  const rule = matchingCorsRule(record.cors, origin, method, requestHeaders);
  if (rule === null) {
    throw new S3Error(
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
        "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted " +
        "by the resource's CORS spec.",
      { Method: method, ResourceType: "OBJECT" },
    );
  }
  const response = new Response(null, { status: 200 });
  for (const [name, value] of corsResponseHeaders(rule, origin, requestHeaders)) {
    response.headers.set(name, value);
  }
  response.headers.set("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
  return response;
}

/**
 * Adds the CORS headers to the response of an actual cross-origin request (one with `Origin`) on `bucket`
 * when one of its rules allows the origin and method; errors too, so browser code can read them.
 */
export function addCorsHeaders(
  request: Request,
  origin: string,
  bucket: BucketRecord,
  response: Response,
): void {
  if (bucket.cors.length === 0) return;
  appendVary(response.headers, "Origin");
  const rule = matchingCorsRule(bucket.cors, origin, request.method);
  if (rule === null) return;
  for (const [name, value] of corsResponseHeaders(rule, origin)) response.headers.set(name, value);
}

/** Adds `name` to the response's `Vary` unless it is already there. */
export function appendVary(headers: Headers, name: string): void {
  const vary = headers.get("vary");
  if (vary === null) headers.set("vary", name);
  else if (!vary.split(",").some((token) => token.trim().toLowerCase() === name.toLowerCase())) {
    headers.set("vary", `${vary}, ${name}`);
  }
}
