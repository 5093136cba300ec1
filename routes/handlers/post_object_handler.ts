/**
 * POST Object: a browser form upload to `POST /BUCKET` (`multipart/form-data`). With a `policy` field the
 * form is signed (SigV4 over the policy) and acts as the signer, under every condition of the policy;
 * without one it is anonymous and needs a bucket that lets anyone write. The file streams into the store
 * like a PutObject body; the answer follows `success_action_redirect` or `success_action_status`.
 */
import { MAX_PUT_OBJECT_BYTES, type ObjectHead } from "../../storage/mod.ts";
import { authorizeBucket } from "../access_control.ts";
import { cannedAclFrom } from "../acl_xml.ts";
import { type AuthResult, verifyPostSignature } from "../auth/mod.ts";
import { formBoundary, type FormUpload, readFormUpload } from "../form_upload.ts";
import { objectAttributesFrom } from "../object_headers.ts";
import { checkPostPolicy, parsePostPolicy } from "../post_policy.ts";
import type { RequestContext, S3Owner } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import { checkObjectKey } from "../s3_names.ts";
import type { S3Operation } from "../s3_operation.ts";
import { MAX_OBJECT_TAGS, tagsFromDocument } from "../tagging.ts";
import { parseXml, renderXml, S3_XMLNS } from "../xml.ts";

type Op<N extends S3Operation["name"]> = RequestContext<Extract<S3Operation, { name: N }>>;

/** Form fields that become the object's headers under the same name. */
const HEADER_FIELDS = [
  "cache-control",
  "content-type",
  "content-disposition",
  "content-encoding",
  "content-language",
  "expires",
  "x-amz-storage-class",
];

/** PostObject. */
export async function postObject(ctx: Op<"PostObject">): Promise<Response> {
  const { bucket } = ctx.operation;
  const boundary = formBoundary(ctx.request.headers.get("content-type"));
  const lengthHeader = ctx.request.headers.get("content-length");
  if (lengthHeader === null || !/^\d{1,16}$/.test(lengthHeader) || ctx.request.body === null) {
    throw new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.");
  }
  const form = await readFormUpload(ctx.request.body, boundary, Number(lengthHeader));
  try {
    return await storeForm(ctx, bucket, form);
  } catch (error) {
    await form.file.body.cancel().catch(() => {});
    throw error;
  }
}

async function storeForm(ctx: Op<"PostObject">, bucket: string, form: FormUpload): Promise<Response> {
  const { fields, file } = form;
  const template = fields.get("key");
  if (template === undefined) {
    throw new S3Error(
      "InvalidArgument",
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      { ArgumentName: "key" },
    );
  }
  const key = template.replaceAll("${filename}", baseName(file.filename));
  checkObjectKey(key);
  const actor = await formActor(ctx, bucket, key, form);
  await authorizeBucket(actor, bucket, "write", "s3:PutObject", key);
  if (file.sizeBytes > MAX_PUT_OBJECT_BYTES) {
    throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
      ProposedSize: String(file.sizeBytes),
      MaxSizeAllowed: String(MAX_PUT_OBJECT_BYTES),
    });
  }
  const headers = new Headers();
  for (const name of HEADER_FIELDS) {
    const value = fields.get(name);
    if (value !== undefined) headers.set(name, value);
  }
  if (!headers.has("content-type") && file.contentType !== null) {
    headers.set("content-type", file.contentType);
  }
  for (const [name, value] of fields) if (name.startsWith("x-amz-meta-")) headers.set(name, value);
  const acl = fields.get("acl");
  if (acl !== undefined) headers.set("x-amz-acl", acl);
  const tagging = fields.get("tagging");
  const head = await ctx.services.objects.put({
    bucket,
    key,
    sizeBytes: file.sizeBytes,
    body: file.body,
    ...objectAttributesFrom(headers),
    acl: cannedAclFrom(headers),
    tags: tagging === undefined ? [] : tagsFromDocument(parseXml(tagging, "Tagging"), MAX_OBJECT_TAGS),
  });
  return successResponse(ctx, fields, bucket, head);
}

/**
 * The request context the upload acts in: the signer's when the form carries a policy (checked against
 * the signature and then against the form), else the anonymous caller's.
 */
async function formActor(
  ctx: Op<"PostObject">,
  bucket: string,
  key: string,
  form: FormUpload,
): Promise<RequestContext> {
  const { fields, file } = form;
  const policyField = fields.get("policy");
  if (policyField === undefined) return ctx;
  const accessKeyId = await verifyPostSignature({
    policy: policyField,
    algorithm: fields.get("x-amz-algorithm"),
    credential: fields.get("x-amz-credential"),
    date: fields.get("x-amz-date"),
    signature: fields.get("x-amz-signature"),
  }, {
    region: ctx.services.region,
    nowMs: ctx.services.nowMs(),
    lookupSecretKey: async (id) => (await ctx.services.lookupUser(id))?.secretKey ?? null,
  });
  const user = await ctx.services.lookupUser(accessKeyId);
  if (user === null) {
    throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist");
  }
  const checked = new Map(fields);
  checked.set("bucket", bucket);
  checked.set("key", key);
  checkPostPolicy(parsePostPolicy(policyField), checked, file.sizeBytes, ctx.services.nowMs());
  return actingAs(ctx, user.owner, { ...ctx.auth, accessKeyId, method: "header" });
}

/** `ctx` with another caller: the signer of a form's policy. */
function actingAs(ctx: RequestContext, owner: S3Owner, auth: AuthResult): RequestContext {
  return {
    request: ctx.request,
    get url() {
      return ctx.url;
    },
    params: ctx.params,
    operation: ctx.operation,
    auth,
    owner,
    services: ctx.services,
    requestId: ctx.requestId,
    get sourceIp() {
      return ctx.sourceIp;
    },
    policies: ctx.policies,
  };
}

/** The last path segment of a browser's file name (some send a whole Windows path). */
function baseName(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1);
}

/**
 * 303 to `success_action_redirect` (with `bucket`, `key` and `etag` added to its query) when the form
 * names one; else `success_action_status` 200 (empty), 201 (a `PostResponse` document) or the default 204.
 */
function successResponse(
  ctx: RequestContext,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  head: ObjectHead,
): Response {
  const etag = `"${head.etag}"`;
  const location = `${ctx.url.origin}/${bucket}/${head.key.split("/").map(encodeURIComponent).join("/")}`;
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    const target = new URL(redirect);
    target.searchParams.set("bucket", bucket);
    target.searchParams.set("key", head.key);
    target.searchParams.set("etag", etag);
    return new Response(null, { status: 303, headers: { location: target.toString(), etag } });
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    const body = renderXml("PostResponse", {
      "@_xmlns": S3_XMLNS,
      Location: location,
      Bucket: bucket,
      Key: head.key,
      ETag: etag,
    });
    return new Response(body, {
      status: 201,
      headers: { "content-type": "application/xml", etag, location },
    });
  }
  return new Response(null, { status: status === "200" ? 200 : 204, headers: { etag, location } });
}
