/** `encoding-type=url` of the listings (ListObjects, ListObjectsV2, ListMultipartUploads). */
import { S3Error } from "./s3_errors.ts";

/** The listing's `encoding-type`: `url`, or null when absent; anything else is InvalidArgument. */
export function parseEncodingType(params: URLSearchParams): "url" | null {
  const encodingType = params.get("encoding-type");
  if (encodingType === null) return null;
  if (encodingType !== "url") {
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
      ArgumentValue: encodingType,
    });
  }
  return "url";
}

/** URL-encodes names for `encoding-type=url` (space as `+`, `/` kept), else passes them through. */
export function nameEncoder(encodingType: "url" | null): (text: string) => string {
  if (encodingType === null) return (text) => text;
  return (text) => encodeURIComponent(text).replaceAll("%20", "+").replaceAll("%2F", "/");
}
