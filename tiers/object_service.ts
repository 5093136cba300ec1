/**
 * Objects: put (inline or regional), get, head, delete and list. Every change is ONE atomic metadata
 * commit that checks the bucket and the previous head, swaps in the new head, and hands the data it
 * orphans to the garbage collector. Regional writes record a pending-GC item before any byte moves,
 * and the commit deletes it (checking it was not claimed), so a crash or failure cleans itself up.
 */
import {
  type CannedAcl,
  type CatalogTransaction,
  type Clock,
  type CompositePart,
  dataGcRecord,
  DigestStream,
  type Logger,
  type Md5Pool,
  type MetadataCatalog,
  metaKeys,
  type ObjectHead,
  readAll,
  type StoredChecksum,
  StoreError,
  type TagSet,
  toHex,
} from "../storage/mod.ts";
import type { BucketService } from "./bucket_service.ts";
import type { DataReader } from "./data_reader.ts";
import { newRandomId } from "./ids.ts";
import { listObjectPage, type ListPage, type ListRequest } from "./object_lister.ts";
import { CoherentCache, UNKNOWN_VERSIONSTAMP } from "./coherent_cache.ts";
import type { EdgeCache } from "./edge_cache.ts";
import type { ByteRange, RegionalTier } from "./regional_tier.ts";
import { tierOfStorageClass } from "./storage_classes.ts";
import { TierWrites } from "./tier_writes.ts";
import { checkWriteCondition, NO_CONDITION, type WriteCondition } from "./write_condition.ts";
import type { CommitData, CopyObjectInput, PutObjectInput } from "./object_inputs.ts";
import { deleteMarker, type DeleteOutcome, MAX_COMMIT_ATTEMPTS, ObjectVersions } from "./object_versions.ts";

/** Options of the object service. */
export interface ObjectServiceOptions {
  readonly catalog: MetadataCatalog;
  readonly buckets: BucketService;
  readonly regional: RegionalTier;
  /** The archive tier (its own worker pool), when the cluster has one: Glacier classes are stored there. */
  readonly archive?: RegionalTier;
  readonly reader: DataReader;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Objects up to this size are stored inline in metadata pages. */
  readonly inlineThresholdBytes: number;
  /** Delay before orphaned data is deleted (lets in-flight reads of an old version finish). */
  readonly gcGraceMs: number;
  /** The edge tier (small objects in memory), or undefined to read every object from storage. */
  readonly edge?: EdgeCache;
  /** Object heads kept in memory (0 disables the head cache). */
  readonly headCacheEntries: number;
  /** Hashes large bodies' ETags in Web Workers; without it every body is hashed on the main thread. */
  readonly md5Pool?: Md5Pool;
}

/** Object operations. */
export class ObjectService {
  readonly #options: ObjectServiceOptions;
  /** Heads by bucket and key, coherent with this process's commits (see `CoherentCache`). */
  readonly #heads: CoherentCache<ObjectHead>;
  /** The version records of versioned buckets (reading, listing, recording null versions). */
  readonly versions: ObjectVersions;
  /** Tier choice and pending writes for new erasure-coded data. */
  readonly writes: TierWrites;

  constructor(options: ObjectServiceOptions) {
    this.#options = options;
    this.#heads = new CoherentCache(options.headCacheEntries);
    this.writes = new TierWrites(options);
    this.versions = new ObjectVersions({
      ...options,
      observe: (bucket, key, head, versionstamp) =>
        this.#heads.observe(headName(bucket, key), head, versionstamp),
    });
  }

  /** Stores an object; acknowledged only after shards are durable and the metadata commit succeeded. */
  async put(input: PutObjectInput): Promise<ObjectHead> {
    const { buckets, inlineThresholdBytes } = this.#options;
    await buckets.get(input.bucket);
    const condition = input.condition ?? NO_CONDITION;
    // A condition that fails already fails before any byte moves; the commit checks it again.
    if (condition !== NO_CONDITION) {
      const current = await this.#options.catalog.getObject(input.bucket, input.key);
      checkWriteCondition(condition, current?.record ?? null, input.bucket, input.key);
    }
    const dataId = newRandomId();
    const digest = this.#options.md5Pool?.digest(input.sizeBytes) ?? new DigestStream();
    const body = digest.wrap(input.body);
    if (input.sizeBytes <= inlineThresholdBytes) {
      const bytes = await readExactly(body, input.sizeBytes);
      const head = this.#newHead(input, dataId, "inline", toHex(await digest.md5()), input.checksum?.());
      return await this.commitHead(input.bucket, head, { inlineBytes: bytes, condition });
    }
    const tier = this.writes.tierFor(input.storageClass);
    const pending = await this.writes.begin(dataId, tier);
    try {
      const manifest = await tier.write(dataId, input.sizeBytes, body, pending.placement);
      const head = this.#newHead(input, dataId, "regional", toHex(await digest.md5()), input.checksum?.());
      return await this.commitHead(input.bucket, head, { manifest, pending, condition });
    } catch (error) {
      await pending.abandon();
      throw error;
    }
  }

  /**
   * The current head of `bucket/key` (strongly consistent); throws `object_not_found`. With
   * `bucketChecked`, the caller has just looked the bucket up itself and the existence check is skipped.
   */
  head(
    bucket: string,
    key: string,
    options: { bucketChecked?: boolean } = {},
  ): ObjectHead | Promise<ObjectHead> {
    if (options.bucketChecked !== true) {
      const found = this.#options.buckets.get(bucket);
      if (found instanceof Promise) return found.then(() => this.#headInBucket(bucket, key));
    }
    return this.#headInBucket(bucket, key);
  }

  /** The head of `key` in an existing bucket: synchronous when cached. */
  #headInBucket(bucket: string, key: string): ObjectHead | Promise<ObjectHead> {
    const cached = this.#heads.get(headName(bucket, key));
    if (cached === undefined) return this.#loadHead(bucket, key);
    if (cached === null) throw objectNotFound(bucket, key);
    return cached;
  }

  async #loadHead(bucket: string, key: string): Promise<ObjectHead> {
    const name = headName(bucket, key);
    const ticket = this.#heads.beginRead();
    let head: ObjectHead | null;
    try {
      const entry = await this.#options.catalog.getObject(bucket, key);
      head = entry?.record ?? null;
      this.#heads.fill(name, head, entry?.versionstamp ?? UNKNOWN_VERSIONSTAMP, ticket);
    } catch (error) {
      this.#heads.abandon(ticket);
      throw error;
    }
    if (head === null) throw objectNotFound(bucket, key);
    return head;
  }

  /**
   * The bytes of `range` of `head` (as returned by `head()`): a buffer when they come from the edge
   * tier (small objects; a miss loads the whole object once, however many readers ask at the same
   * time), else a stream from storage. Buffers let the HTTP layer answer without stream machinery; a
   * cached buffer is returned directly, not wrapped in a promise.
   */
  open(
    head: ObjectHead,
    range?: ByteRange,
  ): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>> {
    const { edge, reader } = this.#options;
    if (edge === undefined || !edge.cacheable(head.sizeBytes)) return reader.read(head, range);
    const found = edge.getOrLoad(
      head.dataId,
      head.sizeBytes,
      async () => await readExactly(await reader.read(head), head.sizeBytes),
    );
    // An edge hit is answered synchronously (no promise on the hottest path); a miss waits for the load.
    if (found instanceof Uint8Array) return this.#served(found, range);
    return this.#afterLoad(found, head, range);
  }

  async #afterLoad(
    loading: Promise<Uint8Array<ArrayBuffer> | null>,
    head: ObjectHead,
    range?: ByteRange,
  ): Promise<Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>> {
    const bytes = await loading;
    return bytes === null ? await this.#options.reader.read(head, range) : this.#served(bytes, range);
  }

  #served(bytes: Uint8Array<ArrayBuffer>, range?: ByteRange): Uint8Array<ArrayBuffer> {
    const served = range === undefined ? bytes : bytes.subarray(range.start, range.end + 1);
    this.#options.edge?.recordServed(served.length);
    return served;
  }

  /** A stream of `range` of `head`'s stored bytes (all of them when omitted), verified as it is read. */
  async readStream(head: ObjectHead, range?: ByteRange): Promise<ReadableStream<Uint8Array>> {
    return await this.#options.reader.read(head, range);
  }

  /**
   * CopyObject's data path: makes `input.bucket/input.key` an object with the bytes of `input.source`
   * (the head the caller was allowed to read) and `input`'s attributes. A copy onto the source's own key
   * only replaces the attributes, keeping the data (one commit that checks the data did not change
   * meanwhile); any other copy streams the bytes through `put`, so it is verified, erasure-coded and
   * committed like an upload.
   */
  async copy(input: CopyObjectInput): Promise<ObjectHead> {
    const { source } = input;
    // In a versioned bucket a copy onto itself is a new version, with data of its own: the general path.
    const versioning = (await this.#options.buckets.get(input.bucket)).versioning;
    const sameTier = tierOfStorageClass(source.storageClass) === tierOfStorageClass(input.storageClass);
    if (
      input.sourceBucket === input.bucket && source.key === input.key && versioning === "Unversioned" &&
      sameTier
    ) {
      return await this.#replaceAttributes(input);
    }
    const body = await this.readStream(source);
    try {
      // The bytes are the source's, so a checksum of all of them still holds (a COMPOSITE one does not).
      const checksum = source.checksum?.type === "FULL_OBJECT" ? source.checksum : undefined;
      return await this.put({ ...input, sizeBytes: source.sizeBytes, body, checksum: () => checksum });
    } catch (error) {
      // A put that failed before reading everything must not leave the source's reads open.
      await body.cancel().catch(() => {});
      throw error;
    }
  }

  async #replaceAttributes(input: CopyObjectInput): Promise<ObjectHead> {
    const { catalog } = this.#options;
    const { bucket, source } = input;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const current = await catalog.getObject(bucket, source.key);
      checkWriteCondition(input.condition ?? NO_CONDITION, current?.record ?? null, bucket, source.key);
      if (current === null || current.record.dataId !== source.dataId) {
        throw new StoreError("conflict", `${source.key} changed while its attributes were being replaced`);
      }
      const head: ObjectHead = {
        ...current.record,
        contentType: input.contentType,
        userMetadata: input.userMetadata,
        headers: input.headers,
        storageClass: input.storageClass,
        acl: input.acl ?? "private",
        tags: input.tags ?? [],
        lastModifiedMs: this.#options.clock.nowMs(),
      };
      const committed = await catalog.transaction()
        .check(metaKeys.object(bucket, source.key), current.versionstamp)
        .putObject(bucket, head)
        .bumpBucketEpoch(bucket)
        .commit();
      if (committed !== null) {
        this.#heads.observe(headName(bucket, source.key), head, committed);
        return head;
      }
    }
    throw new StoreError(
      "conflict",
      `Copy onto ${source.key} lost ${MAX_COMMIT_ATTEMPTS} races with other writers`,
    );
  }

  /**
   * Deletes `bucket/key` (no error when absent, as S3, unless `condition` has an `If-Match`). Unversioned:
   * the object goes and its data to GC after the grace period. Versioning Enabled: a delete marker becomes
   * the latest version and every version is kept; Suspended: the marker is the `null` version, replacing
   * the earlier `null` version. With `versionId`, that one version is deleted for good (see `ObjectVersions.deleteVersion`).
   */
  async delete(
    bucket: string,
    key: string,
    condition: WriteCondition = NO_CONDITION,
    versionId?: string,
  ): Promise<DeleteOutcome> {
    const { catalog, clock } = this.#options;
    if (versionId !== undefined) return await this.versions.deleteVersion(bucket, key, versionId);
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const bucketRecord = await catalog.getBucket(bucket);
      if (bucketRecord === null) throw new StoreError("bucket_not_found", `Bucket ${bucket} does not exist`);
      const versioning = bucketRecord.record.versioning;
      const current = await catalog.getObject(bucket, key);
      checkWriteCondition(condition, current?.record ?? null, bucket, key);
      const tx = catalog.transaction()
        .check(metaKeys.bucket(bucket), bucketRecord.versionstamp)
        .check(metaKeys.object(bucket, key), current?.versionstamp ?? null)
        .bumpBucketEpoch(bucket);
      let outcome: DeleteOutcome = { versionId: null, deleteMarker: false };
      if (versioning === "Unversioned") {
        if (current === null) return outcome;
        tx.delete(metaKeys.object(bucket, key))
          .putGc(dataGcRecord(current.record.dataId, "deleted", clock.nowMs() + this.#options.gcGraceMs));
      } else {
        const marker = await this.versions.recordNewVersion(
          tx,
          bucket,
          versioning,
          deleteMarker(key, clock.nowMs()),
          current?.record ?? null,
        );
        if (current !== null) tx.delete(metaKeys.object(bucket, key));
        outcome = { versionId: marker.versionId, deleteMarker: true };
      }
      const committed = await tx.commit();
      if (committed !== null) {
        this.#heads.observe(headName(bucket, key), null, committed);
        return outcome;
      }
    }
    throw new StoreError("conflict", `Delete of ${key} lost ${MAX_COMMIT_ATTEMPTS} races with other writers`);
  }

  /** Sets the canned ACL of `bucket/key` (PutObjectAcl); throws `object_not_found`. */
  async setAcl(bucket: string, key: string, acl: CannedAcl): Promise<void> {
    await this.#updateHead(bucket, key, "ACL", (head) => ({ ...head, acl }));
  }

  /**
   * Replaces the tags of `bucket/key` (PutObjectTagging; DeleteObjectTagging with none); throws
   * `object_not_found`. As in S3, the object's Last-Modified does not change.
   */
  async setTags(bucket: string, key: string, tags: TagSet): Promise<void> {
    await this.#updateHead(bucket, key, "tags", (head) => ({ ...head, tags }));
  }

  /** Commits `change` of the current head of `bucket/key`, retrying when a writer raced it. */
  async #updateHead(
    bucket: string,
    key: string,
    what: string,
    change: (head: ObjectHead) => ObjectHead,
  ): Promise<void> {
    const { catalog } = this.#options;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const current = await catalog.getObject(bucket, key);
      if (current === null) throw objectNotFound(bucket, key);
      const head = change(current.record);
      const tx = catalog.transaction()
        .check(metaKeys.object(bucket, key), current.versionstamp)
        .putObject(bucket, head);
      // In a versioned bucket the current version's record changes with it.
      await this.versions.recordUpdatedCurrent(tx, bucket, key, head);
      const committed = await tx.commit();
      if (committed !== null) {
        this.#heads.observe(headName(bucket, key), head, committed);
        return;
      }
    }
    throw new StoreError(
      "conflict",
      `The ${what} of ${key} lost ${MAX_COMMIT_ATTEMPTS} races with other writers`,
    );
  }

  /** Tells the head cache of a commit made elsewhere (a lifecycle transition) that changed the head. */
  noteCommittedHead(bucket: string, key: string, head: ObjectHead, versionstamp: string): void {
    this.#heads.observe(headName(bucket, key), head, versionstamp);
  }

  /** One page of the bucket's listing. */
  async list(bucket: string, request: ListRequest): Promise<ListPage> {
    await this.#options.buckets.get(bucket);
    return await listObjectPage(this.#options.catalog, bucket, request);
  }

  /**
   * Commits `head` as the current version of its key: checks the bucket still exists, swaps out the
   * previous head (its data goes to GC), writes the manifest or inline pages, and deletes the pending
   * GC item (checking that GC has not claimed it).
   */
  async commitHead(bucket: string, proposed: ObjectHead, data: CommitData): Promise<ObjectHead> {
    const { catalog, clock } = this.#options;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const bucketRecord = await catalog.getBucket(bucket);
      if (bucketRecord === null) throw new StoreError("bucket_not_found", `Bucket ${bucket} does not exist`);
      const current = await catalog.getObject(bucket, proposed.key);
      checkWriteCondition(data.condition ?? NO_CONDITION, current?.record ?? null, bucket, proposed.key);
      const tx = catalog.transaction()
        .check(metaKeys.bucket(bucket), bucketRecord.versionstamp)
        .check(metaKeys.object(bucket, proposed.key), current?.versionstamp ?? null)
        .bumpBucketEpoch(bucket);
      let head = proposed;
      if (bucketRecord.record.versioning === "Unversioned") {
        if (current !== null) {
          tx.putGc(
            dataGcRecord(current.record.dataId, "overwritten", clock.nowMs() + this.#options.gcGraceMs),
          );
        }
      } else {
        head = await this.versions.recordNewVersion(
          tx,
          bucket,
          bucketRecord.record.versioning,
          proposed,
          current?.record ?? null,
        );
      }
      tx.putObject(bucket, head);
      await addData(tx, data, head.dataId);
      const committed = await tx.commit();
      if (committed !== null) {
        this.#heads.observe(headName(bucket, head.key), head, committed);
        return head;
      }
      if (data.pending !== undefined && !(await data.pending.stillOurs())) {
        throw new StoreError(
          "conflict",
          `Write ${head.dataId} outlived its pending record and was reclaimed`,
        );
      }
    }
    throw new StoreError(
      "conflict",
      `Commit of ${proposed.key} lost ${MAX_COMMIT_ATTEMPTS} races with other writers`,
    );
  }

  #newHead(
    input: PutObjectInput,
    dataId: string,
    location: ObjectHead["location"],
    etag: string,
    checksum: StoredChecksum | undefined,
  ): ObjectHead {
    return {
      ...(checksum === undefined ? {} : { checksum }),
      v: 1,
      key: input.key,
      versionId: "null",
      dataId,
      location,
      sizeBytes: input.sizeBytes,
      etag,
      lastModifiedMs: this.#options.clock.nowMs(),
      contentType: input.contentType,
      userMetadata: input.userMetadata,
      headers: input.headers,
      storageClass: input.storageClass,
      acl: input.acl ?? "private",
      tags: input.tags ?? [],
    };
  }

  /**
   * The byte range of part `partNumber` of `head` (GetObject/HeadObject `?partNumber=`), or null when
   * it has no such part. A multipart object's parts are the ones named at completion, matched by
   * number (completed part numbers need not be contiguous); any other object is the single part 1.
   * An empty part has `end === start - 1`.
   */
  async partRange(head: ObjectHead, partNumber: number): Promise<ByteRange | null> {
    const parts = await this.parts(head);
    if (parts === null) return partNumber === 1 ? { start: 0, end: head.sizeBytes - 1 } : null;
    let offset = 0;
    for (const part of parts) {
      if (part.partNumber === partNumber) return { start: offset, end: offset + part.sizeBytes - 1 };
      offset += part.sizeBytes;
    }
    return null;
  }

  /** The parts of a multipart object, in order; null for any other object. */
  async parts(head: ObjectHead): Promise<CompositePart[] | null> {
    if (head.location !== "composite") return null;
    const pages = await this.#options.catalog.getCompositeManifest(head.dataId);
    if (pages === null) {
      throw new StoreError("corrupt_record", `Composite data ${head.dataId} has no manifest`);
    }
    return pages.flatMap((page) => page.parts);
  }
}

/** The data written with a head commit. */
async function addData(tx: CatalogTransaction, data: CommitData, dataId: string): Promise<void> {
  if (data.inlineBytes !== undefined) tx.putInline(dataId, data.inlineBytes);
  if (data.manifest !== undefined) tx.putErasureManifest(data.manifest);
  if (data.compositePages !== undefined) tx.putCompositeManifest(data.compositePages);
  if (data.pending !== undefined) await data.pending.settleInto(tx);
  data.extra?.(tx);
}

async function readExactly(
  body: ReadableStream<Uint8Array>,
  sizeBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readAll(body, sizeBytes);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new StoreError("incomplete_body", `Body is longer than the declared ${sizeBytes} bytes`);
    }
    throw error;
  }
  if (bytes.length !== sizeBytes) {
    throw new StoreError("incomplete_body", `Body has ${bytes.length} bytes, expected ${sizeBytes}`);
  }
  return bytes;
}

function objectNotFound(bucket: string, key: string): StoreError {
  return new StoreError("object_not_found", `Object ${key} does not exist in ${bucket}`);
}

function headName(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}
