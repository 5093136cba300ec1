/**
 * ListMultipartUploads semantics over the ordered (key, upload id) range of a bucket's uploads: prefix,
 * delimiter (common prefixes, each emitted once and then skipped by seeking past it), key-marker and
 * upload-id-marker, and a page limit. Uploads of one key come in the order they were started, because
 * upload ids lead with their start time.
 */
import type { MetadataCatalog, UploadRecord } from "../storage/mod.ts";
import { compareKeys, prefixUpperBound } from "./object_lister.ts";

/** What to list. */
export interface UploadListRequest {
  readonly prefix: string;
  readonly delimiter: string;
  /** Only uploads of keys after this one (or, with `uploadIdMarker`, of this key after that upload). */
  readonly keyMarker: string;
  /** Ignored without a `keyMarker`, as in S3. */
  readonly uploadIdMarker: string;
  readonly maxUploads: number;
}

/** One page of uploads. */
export interface UploadListPage {
  readonly uploads: UploadRecord[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** Key (or common prefix) and upload id of the last entry returned: the next page's markers. */
  readonly nextKeyMarker: string;
  readonly nextUploadIdMarker: string;
}

/** Lists one page of the uploads in progress in `bucket`. */
export async function listUploadPage(
  catalog: MetadataCatalog,
  bucket: string,
  request: UploadListRequest,
): Promise<UploadListPage> {
  const { prefix, delimiter, keyMarker, maxUploads } = request;
  const uploads: UploadRecord[] = [];
  const commonPrefixes: string[] = [];
  let nextKeyMarker = "";
  let nextUploadIdMarker = "";
  const page = (isTruncated: boolean) => ({
    uploads,
    commonPrefixes,
    isTruncated,
    nextKeyMarker,
    nextUploadIdMarker,
  });
  if (maxUploads <= 0) return page(false);
  const toKey = prefixUpperBound(prefix);
  let from: { key: string; afterUploadId?: string } | undefined = keyMarker === ""
    ? undefined
    : request.uploadIdMarker === ""
    ? { key: keyMarker + "\u0000" }
    : { key: keyMarker, afterUploadId: request.uploadIdMarker };
  if (from === undefined || compareKeys(prefix, from.key) > 0) {
    from = prefix === "" ? undefined : { key: prefix };
  }
  while (true) {
    let seekTo: string | undefined = undefined;
    for await (const upload of catalog.listUploads(bucket, from, toKey, maxUploads + 1)) {
      const rollUp = delimiter === "" ? -1 : upload.key.indexOf(delimiter, prefix.length);
      const entry = rollUp === -1 ? upload.key : upload.key.slice(0, rollUp + delimiter.length);
      // A common prefix at or before the key marker was returned by an earlier page.
      if (rollUp !== -1 && keyMarker !== "" && compareKeys(entry, keyMarker) <= 0) {
        seekTo = prefixUpperBound(entry);
        break;
      }
      if (uploads.length + commonPrefixes.length === maxUploads) return page(true);
      if (rollUp === -1) {
        uploads.push(upload);
        nextKeyMarker = upload.key;
        nextUploadIdMarker = upload.uploadId;
        continue;
      }
      commonPrefixes.push(entry);
      nextKeyMarker = entry;
      nextUploadIdMarker = "";
      seekTo = prefixUpperBound(entry);
      break;
    }
    if (seekTo === undefined || (toKey !== undefined && compareKeys(seekTo, toKey) >= 0)) return page(false);
    from = { key: seekTo };
  }
}
