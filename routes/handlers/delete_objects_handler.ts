/**
 * DeleteObjects (POST /BUCKET?delete): up to 1000 keys in one request, each deleted on its own with its
 * own authorization and its own result; `Quiet` reports errors only. An `<ETag>` beside a key makes its
 * delete conditional (as `If-Match` on DeleteObject). The body must carry Content-MD5 or
 * an x-amz-checksum-* header (as S3 requires), and is verified like every other body.
 */
import { MAX_LIST_KEYS } from "../../storage/mod.ts";
import { NO_CONDITION, type WriteCondition } from "../../tiers/mod.ts";
import { toS3Error } from "../error_response.ts";
import { unquotedEtag } from "../write_conditions.ts";
import { authorizedDelete } from "./object_handlers.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import { checkObjectKey } from "../s3_names.ts";
import type { S3Operation } from "../s3_operation.ts";
import { renderXml, S3_XMLNS, type XmlElement } from "../xml.ts";
import { readXmlBody } from "./request_xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** Keys deleted at the same time (each delete is one metadata commit). */
const DELETE_CONCURRENCY = 8;

/** DeleteObjects. */
export async function deleteObjects(ctx: Op<"DeleteObjects">): Promise<Response> {
  const { bucket } = ctx.operation;
  const headers = ctx.request.headers;
  const hasDigest = headers.has("content-md5") ||
    [...headers.keys()].some((name) => name.startsWith("x-amz-checksum-") || name === "x-amz-trailer");
  if (!hasDigest) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  await ctx.services.buckets.get(bucket);
  const { keys, quiet } = await deleteRequest(ctx);
  const results: XmlElement[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      results[index] = await deleteOne(ctx, bucket, keys[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker));
  const deleted = results.filter((result) => "Deleted" in result).map((result) =>
    result.Deleted as XmlElement
  );
  const errors = results.filter((result) => "Error" in result).map((result) => result.Error as XmlElement);
  return xmlResponse(renderXml("DeleteResult", {
    "@_xmlns": S3_XMLNS,
    Deleted: quiet ? [] : deleted,
    Error: errors,
  }));
}

/** One key of the request, with the ETag it must still have (none: unconditional). */
interface DeleteTarget {
  readonly key: string;
  readonly condition: WriteCondition;
  /** The one version to delete for good, if the request names one. */
  readonly versionId?: string;
}

async function deleteOne(ctx: RequestContext, bucket: string, target: DeleteTarget): Promise<XmlElement> {
  const { key, condition, versionId } = target;
  try {
    checkObjectKey(key);
    const outcome = await authorizedDelete(ctx, bucket, key, condition, versionId);
    if (outcome.versionId === null) return { Deleted: { Key: key } };
    return {
      Deleted: versionId === undefined
        ? { Key: key, DeleteMarker: true, DeleteMarkerVersionId: outcome.versionId }
        : {
          Key: key,
          VersionId: versionId,
          ...(outcome.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: versionId } : {}),
        },
    };
  } catch (error) {
    // Store errors map as they would for a single DeleteObject; internal ones keep their details to the log.
    const { s3 } = toS3Error(error);
    return { Error: { Key: key, Code: s3.code, Message: s3.message } };
  }
}

async function deleteRequest(ctx: RequestContext): Promise<{ keys: DeleteTarget[]; quiet: boolean }> {
  const root = await readXmlBody(ctx, "Delete");
  if (root === null) throw new S3Error("MalformedXML", "DeleteObjects needs a <Delete> document");
  const objects = Array.isArray(root.Object) ? root.Object : [];
  if (objects.length === 0) throw new S3Error("MalformedXML", "The <Delete> document names no <Object>");
  if (objects.length > MAX_LIST_KEYS) {
    throw new S3Error("MalformedXML", `At most ${MAX_LIST_KEYS} keys per request, got ${objects.length}`);
  }
  const keys = objects.map((object: unknown): DeleteTarget => {
    const fields = object as Record<string, unknown> | null;
    const key = fields?.Key;
    if (typeof key !== "string") throw new S3Error("MalformedXML", "Every <Object> needs a <Key>");
    const rawVersionId = fields?.VersionId;
    if (rawVersionId !== undefined && (typeof rawVersionId !== "string" || rawVersionId.trim() === "")) {
      throw new S3Error("MalformedXML", "A <VersionId> of an <Object> must be a non-empty string");
    }
    const versioned = rawVersionId === undefined ? {} : { versionId: rawVersionId.trim() };
    const etag = fields?.ETag;
    if (etag === undefined) return { key, condition: NO_CONDITION, ...versioned };
    if (typeof etag !== "string" || etag.trim() === "") {
      throw new S3Error("MalformedXML", "An <ETag> of an <Object> must be a non-empty string");
    }
    return { key, condition: { ifMatch: unquotedEtag(etag) }, ...versioned };
  });
  return { keys, quiet: String(root.Quiet ?? "false").trim().toLowerCase() === "true" };
}
