/**
 * Multipart uploads: create, upload part (streamed through the erasure coder like PutObject), complete
 * (one commit makes the object visible and retires the upload), abort, list parts. Part records of a
 * finished upload are removed by the garbage collector, which keeps the parts the object uses.
 */
import {
  type Clock,
  type CompositeManifestPage,
  dataGcRecord,
  DigestStream,
  fromHex,
  type Logger,
  type Md5Pool,
  type MetadataCatalog,
  metaKeys,
  MIN_PART_BYTES,
  type ObjectHead,
  type StoredChecksum,
  type StoredChecksumAlgorithm,
  StoreError,
  toHex,
  type UploadPartRecord,
  type UploadRecord,
} from "../storage/mod.ts";
import { createHash } from "node:crypto";
import type { BucketService } from "./bucket_service.ts";
import { newRandomId, newTimeOrderedId } from "./ids.ts";
import type { ObjectAttributes } from "./object_inputs.ts";
import type { ObjectService } from "./object_service.ts";
import { MAX_COMMIT_ATTEMPTS } from "./object_versions.ts";
import { PendingWrite } from "./pending_write.ts";
import { listUploadPage, type UploadListPage, type UploadListRequest } from "./upload_lister.ts";
import { NO_CONDITION, type WriteCondition } from "./write_condition.ts";
import { multipartObjectChecksum } from "./multipart_checksum.ts";
import type { RegionalTier } from "./regional_tier.ts";

/** Options of the multipart service. */
export interface MultipartServiceOptions {
  readonly catalog: MetadataCatalog;
  readonly buckets: BucketService;
  readonly objects: ObjectService;
  readonly regional: RegionalTier;
  readonly clock: Clock;
  readonly gcGraceMs: number;
  readonly logger: Logger;
  /** Hashes large parts' ETags in Web Workers; without it every part is hashed on the main thread. */
  readonly md5Pool?: Md5Pool;
}

/** A part named in CompleteMultipartUpload. */
export interface CompletedPart {
  readonly partNumber: number;
  readonly etag: string;
  /** The part's checksum as the client lists it (base64), checked against the stored one. */
  readonly checksum?: string;
}

/** The checksum algorithm and type an upload names. */
export interface UploadChecksum {
  readonly algorithm: StoredChecksumAlgorithm;
  readonly type: "FULL_OBJECT" | "COMPOSITE";
}

/** One page of ListParts. */
export interface PartsPage {
  readonly upload: UploadRecord;
  readonly parts: UploadPartRecord[];
  readonly isTruncated: boolean;
}

/** Parts per composite-manifest page (each page stays far below the 64 KiB value limit). */
const PARTS_PER_MANIFEST_PAGE = 300;
/** Manifest pages per commit (about 8 × 30 KB, well under a commit's 800 KiB). */
const PAGES_PER_COMMIT = 8;

/** Multipart upload operations. */
export class MultipartService {
  readonly #options: MultipartServiceOptions;

  constructor(options: MultipartServiceOptions) {
    this.#options = options;
  }

  /**
   * Starts an upload; returns its record (with the new upload id). With `checksum`, every part gets a
   * checksum of that algorithm and the object one of that type.
   */
  async create(
    bucket: string,
    key: string,
    attributes: ObjectAttributes,
    checksum?: UploadChecksum,
  ): Promise<UploadRecord> {
    const { catalog, clock } = this.#options;
    const bucketRecord = await catalog.getBucket(bucket);
    if (bucketRecord === null) throw new StoreError("bucket_not_found", `Bucket ${bucket} does not exist`);
    this.#options.objects.writes.tierFor(attributes.storageClass); // refuses a class whose tier this cluster lacks
    const record: UploadRecord = {
      v: 1,
      uploadId: newTimeOrderedId(clock.nowMs()),
      bucket,
      key,
      initiatedMs: clock.nowMs(),
      ...attributes,
      acl: attributes.acl ?? "private",
      tags: attributes.tags ?? [],
      ...(checksum === undefined
        ? {}
        : { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type }),
    };
    const committed = await catalog.transaction()
      .check(metaKeys.bucket(bucket), bucketRecord.versionstamp)
      .putUpload(record)
      .bumpBucketEpoch(bucket)
      .commit();
    if (committed === null) {
      throw new StoreError("bucket_not_found", `Bucket ${bucket} was deleted meanwhile`);
    }
    return record;
  }

  /** The record of an upload in progress; throws `upload_not_found`. */
  async upload(bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
    return (await this.#getUpload(bucket, key, uploadId)).record;
  }

  /**
   * Stores one part; replaces an earlier part with the same number atomically. Returns its record.
   * `checksum` gives the part's verified checksum (base64) once its body has been read to its end.
   */
  async uploadPart(
    upload: { bucket: string; key: string; uploadId: string; partNumber: number },
    sizeBytes: number,
    body: ReadableStream<Uint8Array>,
    checksum?: () => string | undefined,
  ): Promise<UploadPartRecord> {
    const { catalog, clock, objects } = this.#options;
    const record = await this.#getUpload(upload.bucket, upload.key, upload.uploadId);
    const dataId = newRandomId();
    const digest = this.#options.md5Pool?.digest(sizeBytes) ?? new DigestStream();
    const tier = objects.writes.tierFor(record.record.storageClass);
    const pending = await objects.writes.begin(dataId, tier);
    try {
      const manifest = await tier.write(
        dataId,
        sizeBytes,
        digest.wrap(body),
        pending.placement,
      );
      const part: UploadPartRecord = {
        v: 1,
        uploadId: upload.uploadId,
        partNumber: upload.partNumber,
        dataId,
        sizeBytes,
        etag: toHex(await digest.md5()),
        lastModifiedMs: clock.nowMs(),
      };
      const partChecksum = checksum?.();
      if (partChecksum !== undefined) part.checksum = partChecksum;
      for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
        const current = await this.#getUpload(upload.bucket, upload.key, upload.uploadId);
        const previous = await catalog.getUploadPart(upload.uploadId, upload.partNumber);
        const tx = catalog.transaction()
          .check(metaKeys.upload(upload.bucket, upload.key, upload.uploadId), current.versionstamp)
          .check(metaKeys.uploadPart(upload.uploadId, upload.partNumber), previous?.versionstamp ?? null)
          .putErasureManifest(manifest)
          .putUploadPart(part)
          .bumpUploadEpoch(upload.uploadId);
        await pending.settleInto(tx);
        if (previous !== null) {
          tx.putGc(
            dataGcRecord(previous.record.dataId, "replaced_part", clock.nowMs() + this.#options.gcGraceMs),
          );
        }
        if (await tx.commit() !== null) return part;
        if (!(await pending.stillOurs())) {
          throw new StoreError(
            "conflict",
            `Part ${upload.partNumber} outlived its pending record and was reclaimed`,
          );
        }
      }
      throw new StoreError("conflict", `Part ${upload.partNumber} lost ${MAX_COMMIT_ATTEMPTS} races`);
    } catch (error) {
      await pending.abandon();
      throw error;
    }
  }

  /**
   * Assembles the listed parts into the object. The manifest pages are written first (under a
   * pending record, since 10,000 parts do not fit in one commit); then ONE commit makes the object
   * visible, retires the upload, and checks that no part changed since the parts were checked, and
   * that the key's current version meets `condition` (a failed condition leaves the upload in place).
   */
  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly CompletedPart[],
    condition: WriteCondition = NO_CONDITION,
    expectedChecksum?: string,
  ): Promise<ObjectHead> {
    const { catalog, clock, objects } = this.#options;
    const upload = await this.#getUpload(bucket, key, uploadId);
    const partsEpoch = await catalog.getUploadEpoch(uploadId);
    const records = await this.#checkParts(uploadId, parts);
    const checksum = objectChecksum(upload.record, records, expectedChecksum);
    const compositeId = newRandomId();
    const pages = compositePages(compositeId, records);
    const pending = await PendingWrite.beginManifest(this.#pendingOptions(), compositeId);
    try {
      for (let first = 0; first < pages.length; first += PAGES_PER_COMMIT) {
        await catalog.transaction().putCompositeManifest(pages.slice(first, first + PAGES_PER_COMMIT), first)
          .commit();
      }
      const head = compositeHead(key, compositeId, records, upload.record, clock.nowMs(), checksum);
      const committed = await objects.commitHead(bucket, head, {
        pending,
        condition,
        extra: (tx) =>
          tx.check(metaKeys.upload(bucket, key, uploadId), upload.versionstamp)
            .check(metaKeys.uploadEpoch(uploadId), partsEpoch)
            .delete(metaKeys.upload(bucket, key, uploadId))
            .delete(metaKeys.uploadEpoch(uploadId))
            .putGc({
              v: 1,
              target: "upload",
              id: uploadId,
              dueAtMs: clock.nowMs(),
              reason: "completed_upload",
              workerIds: [],
              keepDataId: compositeId,
              attempts: 0,
            }),
      });
      return committed;
    } catch (error) {
      await pending.abandon();
      if (
        error instanceof StoreError && error.kind === "conflict" &&
        !(await this.#uploadExists(bucket, key, uploadId))
      ) {
        throw new StoreError("upload_not_found", `Upload ${uploadId} finished or was aborted meanwhile`);
      }
      throw error;
    }
  }

  /** Aborts an upload: its record and part counter go in one commit, its parts' data to GC. */
  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    const { catalog, clock } = this.#options;
    const upload = await this.#getUpload(bucket, key, uploadId);
    const committed = await catalog.transaction()
      .check(metaKeys.upload(bucket, key, uploadId), upload.versionstamp)
      .delete(metaKeys.upload(bucket, key, uploadId))
      .delete(metaKeys.uploadEpoch(uploadId))
      .putGc({
        v: 1,
        target: "upload",
        id: uploadId,
        dueAtMs: clock.nowMs(),
        reason: "aborted",
        workerIds: [],
        attempts: 0,
      })
      .bumpBucketEpoch(bucket)
      .commit();
    if (committed === null) {
      throw new StoreError("upload_not_found", `Upload ${uploadId} changed while aborting`);
    }
  }

  /** Parts with number greater than `partNumberMarker`, at most `maxParts`. */
  async listParts(
    bucket: string,
    key: string,
    uploadId: string,
    partNumberMarker: number,
    maxParts: number,
  ): Promise<PartsPage> {
    const upload = await this.#getUpload(bucket, key, uploadId);
    const parts = await this.#options.catalog.listUploadParts(uploadId, partNumberMarker, maxParts + 1);
    return { upload: upload.record, parts: parts.slice(0, maxParts), isTruncated: parts.length > maxParts };
  }

  /** One page of the uploads in progress in `bucket` (ListMultipartUploads); throws `bucket_not_found`. */
  async listUploads(bucket: string, request: UploadListRequest): Promise<UploadListPage> {
    await this.#options.buckets.get(bucket);
    return await listUploadPage(this.#options.catalog, bucket, request);
  }

  #pendingOptions() {
    const { catalog, clock, gcGraceMs, logger } = this.#options;
    return { catalog, clock, graceMs: gcGraceMs, logger };
  }

  async #uploadExists(bucket: string, key: string, uploadId: string): Promise<boolean> {
    return (await this.#options.catalog.getUpload(bucket, key, uploadId)) !== null;
  }

  async #getUpload(bucket: string, key: string, uploadId: string) {
    await this.#options.buckets.get(bucket);
    const upload = await this.#options.catalog.getUpload(bucket, key, uploadId);
    if (upload === null) {
      throw new StoreError("upload_not_found", `Upload ${uploadId} of ${key} does not exist or has finished`);
    }
    return upload;
  }

  async #checkParts(uploadId: string, parts: readonly CompletedPart[]): Promise<UploadPartRecord[]> {
    const records: UploadPartRecord[] = [];
    for (let i = 0; i < parts.length; i++) {
      const wanted = parts[i];
      if (i > 0 && wanted.partNumber <= parts[i - 1].partNumber) {
        throw new StoreError(
          "invalid_part_order",
          `Part ${wanted.partNumber} follows part ${parts[i - 1].partNumber}`,
        );
      }
      const record = await this.#options.catalog.getUploadPart(uploadId, wanted.partNumber);
      if (record === null || record.record.etag !== wanted.etag.replaceAll('"', "")) {
        throw new StoreError(
          "invalid_part",
          `Part ${wanted.partNumber} was not uploaded or its ETag differs`,
        );
      }
      if (wanted.checksum !== undefined && wanted.checksum !== record.record.checksum) {
        throw new StoreError(
          "invalid_part",
          `The checksum listed for part ${wanted.partNumber} differs from its own`,
        );
      }
      records.push(record.record);
    }
    for (let i = 0; i < records.length - 1; i++) {
      if (records[i].sizeBytes < MIN_PART_BYTES) {
        throw new StoreError(
          "entity_too_small",
          `Part ${records[i].partNumber} has ${
            records[i].sizeBytes
          } bytes; every part but the last needs ${MIN_PART_BYTES}`,
        );
      }
    }
    return records;
  }
}

/**
 * The object checksum of an upload that names an algorithm, from its parts' (each part must have one);
 * with `expected` (the client's `x-amz-checksum-*` on completion) it must match: `bad_digest` otherwise.
 */
function objectChecksum(
  upload: UploadRecord,
  records: readonly UploadPartRecord[],
  expected: string | undefined,
): StoredChecksum | undefined {
  if (upload.checksumAlgorithm === undefined || upload.checksumType === undefined) return undefined;
  const parts = records.map((record) => {
    if (record.checksum === undefined) {
      throw new StoreError(
        "invalid_part",
        `Part ${record.partNumber} has no ${upload.checksumAlgorithm} checksum`,
      );
    }
    return { checksum: record.checksum, sizeBytes: record.sizeBytes };
  });
  const checksum = multipartObjectChecksum(upload.checksumAlgorithm, upload.checksumType, parts);
  if (
    expected !== undefined && expected !== checksum.value && `${expected}-${parts.length}` !== checksum.value
  ) {
    throw new StoreError(
      "bad_digest",
      `The ${upload.checksumAlgorithm} you specified (${expected}) did not match the calculated checksum (${checksum.value})`,
    );
  }
  return checksum;
}

/** The composite manifest of `records`, cut into pages. */
function compositePages(compositeId: string, records: readonly UploadPartRecord[]): CompositeManifestPage[] {
  const pages: CompositeManifestPage[] = [];
  const pageCount = Math.ceil(records.length / PARTS_PER_MANIFEST_PAGE);
  for (let i = 0; i < records.length; i += PARTS_PER_MANIFEST_PAGE) {
    pages.push({
      v: 1,
      kind: "composite",
      dataId: compositeId,
      pageCount,
      parts: records.slice(i, i + PARTS_PER_MANIFEST_PAGE).map((part) => ({
        partNumber: part.partNumber,
        dataId: part.dataId,
        sizeBytes: part.sizeBytes,
        etag: part.etag,
        ...(part.checksum === undefined ? {} : { checksum: part.checksum }),
      })),
    });
  }
  return pages;
}

/** The head of a completed multipart object: ETag is the MD5 of the parts' MD5s, then `-N`. */
function compositeHead(
  key: string,
  compositeId: string,
  records: readonly UploadPartRecord[],
  upload: UploadRecord,
  nowMs: number,
  checksum: StoredChecksum | undefined,
): ObjectHead {
  const md5OfMd5s = createHash("md5");
  for (const part of records) md5OfMd5s.update(fromHex(part.etag));
  return {
    v: 1,
    key,
    versionId: "null",
    dataId: compositeId,
    location: "composite",
    sizeBytes: records.reduce((sum, part) => sum + part.sizeBytes, 0),
    etag: `${md5OfMd5s.digest("hex")}-${records.length}`,
    lastModifiedMs: nowMs,
    contentType: upload.contentType,
    userMetadata: upload.userMetadata,
    headers: upload.headers,
    storageClass: upload.storageClass,
    partCount: records.length,
    acl: upload.acl,
    tags: upload.tags,
    ...(checksum === undefined ? {} : { checksum }),
  };
}
