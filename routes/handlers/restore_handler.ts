/**
 * RestoreObject (`POST /BUCKET/KEY?restore`): a temporary readable copy of a GLACIER or DEEP_ARCHIVE object
 * for `Days` days. 202 when the restore starts, 200 when the object was restored already (its expiry moves);
 * `RestoreAlreadyInProgress` 409 while the copy is being made, `InvalidObjectState` 403 for other classes.
 */
import { authorizeBucket } from "../access_control.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import type { S3Operation } from "../s3_operation.ts";
import { readXmlBody } from "./request_xml.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** The longest restore S3 accepts, in days. */
const MAX_RESTORE_DAYS = 30_000;

/** RestoreObject of the current version (a `versionId` of another version is not implemented). */
export async function restoreObject(ctx: Op<"RestoreObject">): Promise<Response> {
  const { bucket, key } = ctx.operation;
  await authorizeBucket(ctx, bucket, "owner", "s3:RestoreObject", key);
  const versionId = ctx.params.get("versionId");
  if (versionId !== null) {
    const head = await ctx.services.objects.head(bucket, key);
    if (head.versionId !== versionId) {
      throw new S3Error(
        "NotImplemented",
        "Restoring a version other than the current one is not implemented",
      );
    }
  }
  const root = await readXmlBody(ctx, "RestoreRequest");
  if (root === null) throw new S3Error("MalformedXML", "The request needs a <RestoreRequest> document");
  if (root.Type !== undefined || root.SelectParameters !== undefined || root.OutputLocation !== undefined) {
    throw new S3Error("NotImplemented", "Select restores are not implemented");
  }
  const daysText = typeof root.Days === "string" || typeof root.Days === "number" ? String(root.Days) : "";
  const days = /^\d{1,5}$/.test(daysText) ? Number(daysText) : NaN;
  if (!(days >= 1 && days <= MAX_RESTORE_DAYS)) {
    throw new S3Error("MalformedXML", `Days must be a whole number from 1 to ${MAX_RESTORE_DAYS}`);
  }
  const outcome = await ctx.services.restores.request(bucket, key, days);
  return new Response(null, { status: outcome === "accepted" ? 202 : 200 });
}
