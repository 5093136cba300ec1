/** What callers hand the object service: new objects' attributes, PutObject and CopyObject requests, and commits. */
import type {
  CannedAcl,
  CatalogTransaction,
  CompositeManifestPage,
  ErasureManifest,
  ObjectHead,
  StoredChecksum,
  StoredHeaders,
  TagSet,
} from "../storage/mod.ts";
import type { PendingWrite } from "./pending_write.ts";
import type { WriteCondition } from "./write_condition.ts";

/** The descriptive attributes of a new object. */
export interface ObjectAttributes {
  readonly contentType: string;
  readonly userMetadata: Record<string, string>;
  readonly headers: StoredHeaders;
  readonly storageClass: string;
  /** Canned ACL of the new object (private when omitted). */
  readonly acl?: CannedAcl;
  /** Tags of the new object (none when omitted). */
  readonly tags?: TagSet;
}

/** A PutObject request after parsing and authentication. */
export interface PutObjectInput extends ObjectAttributes {
  readonly bucket: string;
  readonly key: string;
  readonly sizeBytes: number;
  /** The verified body: errors if its checksums or signatures fail, which aborts the write. */
  readonly body: ReadableStream<Uint8Array>;
  /** What the key's current version must be for the write to happen (checked in the commit). */
  readonly condition?: WriteCondition;
  /**
   * The body's verified flexible checksum, asked for once the body has been read to its end (it may come
   * in a trailer); undefined when the body had none.
   */
  readonly checksum?: () => StoredChecksum | undefined;
}

/** A CopyObject request after parsing and authorization: the source head and the new attributes. */
export interface CopyObjectInput extends ObjectAttributes {
  readonly bucket: string;
  readonly key: string;
  readonly sourceBucket: string;
  /** The source's head as the caller was allowed to read it (copy-source conditions already held). */
  readonly source: ObjectHead;
  /** What the destination key's current version must be. */
  readonly condition?: WriteCondition;
}

/** What one head commit stores besides the head: its data records, and what it settles or checks. */
export interface CommitData {
  readonly inlineBytes?: Uint8Array;
  readonly manifest?: ErasureManifest;
  readonly compositePages?: readonly CompositeManifestPage[];
  /** The pending-GC item to delete; the commit checks that GC has not claimed it. */
  readonly pending?: PendingWrite;
  /** What the key's current version must be; evaluated against the head the commit checks. */
  readonly condition?: WriteCondition;
  /** Extra work to do in the same commit (e.g. removing a multipart upload). */
  readonly extra?: (tx: CatalogTransaction) => void;
}
