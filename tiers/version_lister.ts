/**
 * ListObjectVersions semantics over the version records of a versioned bucket, ordered by key and then
 * newest first: prefix, delimiter (common prefixes, each once, skipped by seeking past them), key-marker and
 * version-id-marker, and a page limit. The first version of each key is its latest.
 */
import type { MetadataCatalog, ObjectHead } from "../storage/mod.ts";
import { compareKeys, prefixUpperBound } from "./object_lister.ts";

/** What to list. */
export interface VersionListRequest {
  readonly prefix: string;
  readonly delimiter: string;
  /** Only versions of keys after this one, or with `versionIdMarker`, of this key after that version. */
  readonly keyMarker: string;
  readonly versionIdMarker: string;
  readonly maxKeys: number;
}

/** One listed version (or delete marker). */
export interface ListedVersion {
  readonly head: ObjectHead;
  readonly isLatest: boolean;
}

/** One page of versions. */
export interface VersionListPage {
  readonly versions: ListedVersion[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  readonly nextKeyMarker: string;
  readonly nextVersionIdMarker: string;
}

/**
 * Lists one page of the versions of `bucket`; `orderOf` turns the version-id-marker into a record order
 * (null when no such version exists: the listing then starts after the whole key).
 */
export async function listVersionPage(
  catalog: MetadataCatalog,
  bucket: string,
  request: VersionListRequest,
  orderOf: (key: string, versionId: string) => Promise<string | null>,
): Promise<VersionListPage> {
  const { prefix, delimiter, keyMarker, maxKeys } = request;
  const versions: ListedVersion[] = [];
  const commonPrefixes: string[] = [];
  let nextKeyMarker = "";
  let nextVersionIdMarker = "";
  const page = (isTruncated: boolean) => ({
    versions,
    commonPrefixes,
    isTruncated,
    nextKeyMarker,
    nextVersionIdMarker,
  });
  if (maxKeys <= 0) return page(false);
  const toKey = prefixUpperBound(prefix);
  let from: { key: string; afterOrder?: string } | undefined;
  let midKey: string | null = null; // a key whose first listed version is not its latest
  if (keyMarker !== "") {
    const order = request.versionIdMarker === "" ? null : await orderOf(keyMarker, request.versionIdMarker);
    if (order === null) from = { key: keyMarker + "\u0000" };
    else {
      from = { key: keyMarker, afterOrder: order };
      midKey = keyMarker;
    }
  }
  if (from === undefined || compareKeys(prefix, from.key) > 0) {
    from = prefix === "" ? undefined : { key: prefix };
    midKey = null;
  }
  let previousKey: string | null = midKey;
  while (true) {
    let seekTo: string | undefined = undefined;
    for await (const { head } of catalog.listVersions(bucket, from, toKey, maxKeys + 1)) {
      const rollUp = delimiter === "" ? -1 : head.key.indexOf(delimiter, prefix.length);
      const entry = rollUp === -1 ? head.key : head.key.slice(0, rollUp + delimiter.length);
      if (rollUp !== -1 && keyMarker !== "" && compareKeys(entry, keyMarker) <= 0) {
        seekTo = prefixUpperBound(entry);
        break;
      }
      if (versions.length + commonPrefixes.length === maxKeys) return page(true);
      if (rollUp === -1) {
        versions.push({ head, isLatest: head.key !== previousKey });
        previousKey = head.key;
        nextKeyMarker = head.key;
        nextVersionIdMarker = head.versionId;
        continue;
      }
      commonPrefixes.push(entry);
      nextKeyMarker = entry;
      nextVersionIdMarker = "";
      seekTo = prefixUpperBound(entry);
      break;
    }
    if (seekTo === undefined || (toKey !== undefined && compareKeys(seekTo, toKey) >= 0)) return page(false);
    from = { key: seekTo };
  }
}
