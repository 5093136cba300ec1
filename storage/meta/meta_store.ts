/**
 * The narrow interface every metadata backend implements: point reads, ordered range listing and an
 * atomic commit guarded by version checks. Deno KV implements it today; a Raft-replicated store (etcd)
 * can implement it later without touching callers.
 */

/** One part of a key; keys order part by part, strings by UTF-8 bytes, numbers numerically. */
export type MetaKeyPart = string | number | bigint | boolean | Uint8Array;
/** A hierarchical key. */
export type MetaKey = readonly MetaKeyPart[];

/** A stored entry: its key, raw value (parse it with the record schemas) and version. */
export interface MetaEntry {
  readonly key: MetaKey;
  readonly value: unknown;
  /** Opaque version, changes on every write of this key. */
  readonly versionstamp: string;
}

/**
 * A range of keys under `prefix`. `start` (inclusive) and `end` (exclusive) are full keys inside the
 * prefix; either may be omitted.
 */
export interface MetaSelector {
  readonly prefix: MetaKey;
  readonly start?: MetaKey;
  readonly end?: MetaKey;
}

/** Options of a listing. */
export interface MetaListOptions {
  /** Most entries returned; every listing is bounded. */
  readonly limit: number;
  readonly reverse?: boolean;
}

/** A precondition of a commit: `versionstamp` null means "the key must not exist". */
export interface MetaCheck {
  readonly key: MetaKey;
  readonly versionstamp: string | null;
}

/** One write of a commit. `increment` bumps a counter (and its versionstamp) without a read. */
export type MetaMutation =
  | { readonly type: "set"; readonly key: MetaKey; readonly value: unknown }
  | { readonly type: "delete"; readonly key: MetaKey }
  | { readonly type: "increment"; readonly key: MetaKey; readonly by: bigint };

/** Outcome of a commit: `ok: false` when a check failed and nothing was written. */
export type MetaCommitResult = { readonly ok: true; readonly versionstamp: string } | { readonly ok: false };

/** The metadata backend. */
export interface MetaStore {
  /** The entry at `key`, or null. */
  get(key: MetaKey): Promise<MetaEntry | null>;
  /** The entries at `keys` (at most 10 per call), in order. */
  getMany(keys: readonly MetaKey[]): Promise<(MetaEntry | null)[]>;
  /** Entries in key order within `selector`, at most `options.limit`. */
  list(selector: MetaSelector, options: MetaListOptions): AsyncIterable<MetaEntry>;
  /** Applies all `mutations` atomically if every check holds. */
  commit(checks: readonly MetaCheck[], mutations: readonly MetaMutation[]): Promise<MetaCommitResult>;
  /** Releases the backend. */
  close(): void;
}
