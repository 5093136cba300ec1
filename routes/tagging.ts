/**
 * Tag sets of objects and buckets: the `x-amz-tagging` header (URL-encoded `k=v&k2=v2`), the `<Tagging>`
 * document of Put*Tagging, S3's limits (10 tags per object, 50 per bucket, keys of 1–128 and values of
 * 0–256 characters, unique keys, no `aws:` prefix), and the document Get*Tagging answers. Pure.
 */
import type { TagSet } from "../storage/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { renderXml, S3_XMLNS } from "./xml.ts";

/** Most tags an object may carry. */
export const MAX_OBJECT_TAGS = 10;
/** Most tags a bucket may carry. */
export const MAX_BUCKET_TAGS = 50;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;
/** Letters, digits, white space and `+ - = . _ : / @`, as S3 documents for tags. */
const TAG_TEXT = /^[\p{L}\p{N}\p{Z}+\-=._:/@]*$/u;

/** The tags of the `x-amz-tagging` header (empty when absent), validated against the object limit. */
export function tagsFromHeader(headers: Headers): TagSet {
  const raw = headers.get("x-amz-tagging");
  if (raw === null || raw === "") return [];
  const tags: TagSet = [];
  for (const [key, value] of new URLSearchParams(raw)) tags.push({ key, value });
  return validTags(tags, MAX_OBJECT_TAGS);
}

/** The tag set of a `<Tagging>` document root (already parsed), validated against `limit`. */
export function tagsFromDocument(root: Record<string, unknown>, limit: number): TagSet {
  const tagSet = root.TagSet;
  if (tagSet === "") return [];
  if (tagSet === undefined || tagSet === null || typeof tagSet !== "object" || Array.isArray(tagSet)) {
    throw new S3Error("MalformedXML", "A <Tagging> document needs a <TagSet>");
  }
  const entries = (tagSet as Record<string, unknown>).Tag;
  const list = entries === undefined ? [] : Array.isArray(entries) ? entries : [entries];
  const tags = list.map((entry: unknown) => {
    const fields = entry as Record<string, unknown> | null;
    const key = fields?.Key;
    // `<Value></Value>` is an empty value; a `<Tag>` without `<Value>` is malformed, as AWS answers it.
    const value = fields?.Value;
    if (typeof key !== "string" || typeof value !== "string") {
      throw new S3Error("MalformedXML", "Every <Tag> needs a <Key> and a <Value>");
    }
    return { key, value };
  });
  return validTags(tags, limit);
}

/** `tags` if they meet S3's rules; otherwise `InvalidTag` (or `BadRequest` for too many) naming the rule. */
export function validTags(tags: TagSet, limit: number): TagSet {
  if (tags.length > limit) {
    throw new S3Error("BadRequest", `Object tags cannot be greater than ${limit}`);
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length === 0 || [...key].length > MAX_KEY_CHARS) {
      throw new S3Error(
        "InvalidTag",
        `The TagKey you have provided is invalid: it must be 1 to ${MAX_KEY_CHARS} characters`,
      );
    }
    if ([...value].length > MAX_VALUE_CHARS) {
      throw new S3Error("InvalidTag", `The TagValue you have provided is too long, max ${MAX_VALUE_CHARS}`);
    }
    if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value)) {
      throw new S3Error(
        "InvalidTag",
        "The TagKey or TagValue you have provided contains characters that are not allowed",
      );
    }
    if (key.toLowerCase().startsWith("aws:")) {
      throw new S3Error("InvalidTag", "Your TagKey cannot be prefixed with aws:");
    }
    if (seen.has(key)) throw new S3Error("InvalidTag", "Cannot provide multiple Tags with the same key");
    seen.add(key);
  }
  return tags;
}

/** The `<Tagging>` document of Get*Tagging. */
export function renderTagging(tags: TagSet): string {
  return renderXml("Tagging", {
    "@_xmlns": S3_XMLNS,
    TagSet: { Tag: tags.map(({ key, value }) => ({ Key: key, Value: value })) },
  });
}
