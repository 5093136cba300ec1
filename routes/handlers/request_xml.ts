/**
 * Reads a request body (XML such as CreateBucketConfiguration, or a policy's JSON) through the same
 * verification as object bodies: payload hash, Content-MD5 and checksums hold, size is bounded.
 */
import { MAX_XML_BODY_BYTES, readAll } from "../../storage/mod.ts";
import { type PayloadCheckOptions, verifiedBody } from "../auth/mod.ts";
import type { RequestContext } from "../request_context.ts";
import { S3Error } from "../s3_errors.ts";
import { parseXml } from "../xml.ts";

/** How large a body may be, and the error when it is larger (by default: XML bodies, MalformedXML). */
export interface BodyLimit {
  readonly maxBytes: number;
  readonly tooLarge: () => S3Error;
}

const XML_BODY_LIMIT: BodyLimit = {
  maxBytes: MAX_XML_BODY_BYTES,
  tooLarge: () => new S3Error("MalformedXML", `The XML body exceeds ${MAX_XML_BODY_BYTES} bytes`),
};

/** The verified body as text (empty when there is none), at most `limit.maxBytes` long. */
export async function readVerifiedText(
  ctx: RequestContext,
  limit: BodyLimit = XML_BODY_LIMIT,
  options: PayloadCheckOptions = {},
): Promise<string> {
  if (ctx.request.body === null) return "";
  const { body } = verifiedBody(ctx.request, ctx.auth, options);
  try {
    return new TextDecoder().decode(await readAll(body, limit.maxBytes));
  } catch (error) {
    if (error instanceof RangeError) throw limit.tooLarge();
    throw error;
  }
}

/** The verified XML body's `rootName` element, or null when the body is empty. */
export async function readXmlBody(
  ctx: RequestContext,
  rootName: string,
  options: PayloadCheckOptions = {},
): Promise<Record<string, unknown> | null> {
  const text = await readVerifiedText(ctx, XML_BODY_LIMIT, options);
  if (text.trim() === "") return null;
  return parseXml(text, rootName);
}
