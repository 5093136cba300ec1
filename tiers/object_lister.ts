/**
 * S3 listing semantics over the ordered object-head range: prefix, delimiter (common prefixes), a
 * start-after key, and a page limit. A common prefix is emitted once and then skipped by seeking past
 * every key that starts with it, so a page costs O(keys returned), however many keys roll up.
 */
import type { MetadataCatalog, ObjectHead } from "../storage/mod.ts";

/** What to list. */
export interface ListRequest {
  readonly prefix: string;
  readonly delimiter: string;
  /** Only keys (and common prefixes) strictly after this one. */
  readonly startAfter: string;
  readonly maxKeys: number;
}

/** One page of a listing. */
export interface ListPage {
  readonly objects: ObjectHead[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned (the marker of the next page). */
  readonly lastReturned: string | null;
}

/** Lists one page of `bucket`. */
export async function listObjectPage(
  catalog: MetadataCatalog,
  bucket: string,
  request: ListRequest,
): Promise<ListPage> {
  const { prefix, delimiter, startAfter, maxKeys } = request;
  const objects: ObjectHead[] = [];
  const commonPrefixes: string[] = [];
  let lastReturned: string | null = null;
  if (maxKeys <= 0) return { objects, commonPrefixes, isTruncated: false, lastReturned };
  const toKey = prefixUpperBound(prefix);
  let fromKey: string | undefined = compareKeys(startAfter, prefix) > 0 ? startAfter : prefix;
  if (toKey !== undefined && compareKeys(fromKey, toKey) >= 0) {
    return { objects, commonPrefixes, isTruncated: false, lastReturned };
  }
  while (fromKey !== undefined) {
    let seekTo: string | undefined = undefined;
    for await (const head of catalog.listObjects(bucket, { fromKey, toKey }, maxKeys + 2)) {
      if (compareKeys(head.key, startAfter) <= 0) continue;
      const rollUp = delimiter === "" ? -1 : head.key.indexOf(delimiter, prefix.length);
      const entry = rollUp === -1 ? head.key : head.key.slice(0, rollUp + delimiter.length);
      if (rollUp !== -1 && compareKeys(entry, startAfter) <= 0) {
        seekTo = prefixUpperBound(entry);
        break;
      }
      if (objects.length + commonPrefixes.length === maxKeys) {
        return { objects, commonPrefixes, isTruncated: true, lastReturned };
      }
      lastReturned = entry;
      if (rollUp === -1) {
        objects.push(head);
        continue;
      }
      commonPrefixes.push(entry);
      seekTo = prefixUpperBound(entry);
      break;
    }
    if (seekTo === undefined || (toKey !== undefined && compareKeys(seekTo, toKey) >= 0)) break;
    fromKey = seekTo;
  }
  return { objects, commonPrefixes, isTruncated: false, lastReturned };
}

/**
 * The least string greater than every string that starts with `prefix` (in code point order, which is
 * UTF-8 byte order), or undefined when there is none (empty prefix, or only U+10FFFF characters).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return codePoints.join("") + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * Orders keys as the metadata store (and S3) does: by UTF-8 bytes, which is code point order. Plain
 * `<` compares UTF-16 code units and disagrees for characters above U+FFFF against U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (part of a code point above U+FFFF) outranks every other code unit in code point order.
    const xHigh = x >= 0xd800 && x <= 0xdfff;
    const yHigh = y >= 0xd800 && y <= 0xdfff;
    if (xHigh !== yHigh) return xHigh ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
