/**
 * GetObjectAttributes (`GET /BUCKET/KEY?attributes`): the attributes named by `x-amz-object-attributes`
 * (ETag, Checksum, ObjectParts, StorageClass, ObjectSize) without the object's bytes; ObjectParts pages with
 * `x-amz-max-parts` and `x-amz-part-number-marker`. Readable by whoever may read the object; as AWS
 * documents, a bucket policy must grant both `s3:GetObject` and `s3:GetObjectAttributes` (with `versionId`,
 * which names one version: `s3:GetObjectVersion` and `s3:GetObjectVersionAttributes`) unless ownership or
 * the object's ACL grants the read.
 */
import { type BucketRecord, MAX_PART_NUMBER, type ObjectHead } from "../../storage/mod.ts";
import { checkObjectRead, objectAction, objectReadPolicy } from "../access_control.ts";
import { checksumElement } from "../object_checksums.ts";
import { markDeletedKey, readableObjectHead, readableVersion } from "../readable_head.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { renderXml, S3_XMLNS, type XmlElement } from "../xml.ts";
import { xmlResponse } from "./responses.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"] as const;
type Attribute = typeof ATTRIBUTES[number];

/** GetObjectAttributes. */
export async function getObjectAttributes(ctx: Op<"GetObjectAttributes">): Promise<Response> {
  const headers = ctx.request.headers;
  const wanted = requestedAttributes(headers.get("x-amz-object-attributes"));
  const maxParts = wholeHeader(headers, "x-amz-max-parts", 1000, 1000);
  const marker = wholeHeader(headers, "x-amz-part-number-marker", 0, MAX_PART_NUMBER);
  const bucket = await ctx.services.buckets.get(ctx.operation.bucket);
  const head = await attributesHead(ctx, bucket);
  const document: XmlElement = { "@_xmlns": S3_XMLNS };
  if (wanted.has("ETag")) document.ETag = head.etag;
  if (wanted.has("Checksum") && head.checksum !== undefined) {
    document.Checksum = {
      [checksumElement(head.checksum.algorithm)]: head.checksum.value,
      ChecksumType: head.checksum.type,
    };
  }
  if (wanted.has("ObjectParts")) {
    const parts = await ctx.services.objects.parts(head);
    if (parts !== null) {
      const after = parts.filter((part) => part.partNumber > marker);
      const page = after.slice(0, maxParts);
      const algorithm = head.checksum?.algorithm;
      document.ObjectParts = {
        PartsCount: parts.length,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
        MaxParts: maxParts,
        IsTruncated: after.length > page.length,
        Part: page.map((part) => ({
          PartNumber: part.partNumber,
          Size: part.sizeBytes,
          ...(algorithm === undefined || part.checksum === undefined
            ? {}
            : { [checksumElement(algorithm)]: part.checksum }),
        })),
      };
    }
  }
  if (wanted.has("StorageClass")) document.StorageClass = head.storageClass;
  if (wanted.has("ObjectSize")) document.ObjectSize = head.sizeBytes;
  const response = xmlResponse(renderXml("GetObjectAttributesResponse", document));
  response.headers.set("last-modified", new Date(head.lastModifiedMs).toUTCString());
  if (bucket.versioning !== "Unversioned") response.headers.set("x-amz-version-id", head.versionId);
  return response;
}

/**
 * The head whose attributes the caller may read: the named version (a delete marker is 405
 * MethodNotAllowed), else the current one (a key whose newest version is a delete marker is NoSuchKey with
 * `x-amz-delete-marker: true`). The read action (`s3:GetObject`, `s3:GetObjectVersion`) is checked while
 * the head is looked up, the attributes action (`s3:GetObjectAttributes`, `s3:GetObjectVersionAttributes`)
 * on the head found: each must be allowed by the policy, or left to ownership and the object's ACL.
 */
async function attributesHead(ctx: Op<"GetObjectAttributes">, bucket: BucketRecord): Promise<ObjectHead> {
  const { key, versionId } = ctx.operation;
  const attributesAction = objectAction("s3:GetObjectAttributes", versionId);
  // An explicit Deny of the attributes action refuses at once, even for a key that does not exist.
  const decision = await objectReadPolicy(ctx, bucket, key, attributesAction);
  let head: ObjectHead;
  if (versionId !== undefined) {
    head = await readableVersion(ctx, bucket, key, versionId, objectAction("s3:GetObject", versionId));
  } else {
    try {
      head = await readableObjectHead(ctx, bucket, key);
    } catch (error) {
      return await markDeletedKey(ctx, bucket, key, error);
    }
  }
  checkObjectRead(ctx, bucket, head, decision);
  return head;
}

function requestedAttributes(value: string | null): Set<Attribute> {
  const names = (value ?? "").split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new S3Error("InvalidArgument", "x-amz-object-attributes must name at least one attribute", {
      ArgumentName: "x-amz-object-attributes",
    });
  }
  const wanted = new Set<Attribute>();
  for (const name of names) {
    const attribute = ATTRIBUTES.find((known) => known.toLowerCase() === name.toLowerCase());
    if (attribute === undefined) {
      throw new S3Error("InvalidArgument", `Invalid attribute name specified: ${name}`, {
        ArgumentName: "x-amz-object-attributes",
        ArgumentValue: name,
      });
    }
    wanted.add(attribute);
  }
  return wanted;
}

function wholeHeader(headers: Headers, name: string, fallback: number, max: number): number {
  const raw = headers.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) {
    throw new S3Error("InvalidArgument", `${name} must be a non-negative integer`, { ArgumentName: name });
  }
  return Math.min(Number(raw.trim()), max);
}
