/**
 * `MetaStore` on Deno KV (`Deno.openKv(path)`). The embedded KV file has exactly one owner process:
 * a second opener gets "database is locked", so only the gateway opens it.
 */
import { KV_MAX_MUTATIONS, StoreError } from "../core/mod.ts";
import type {
  MetaCheck,
  MetaCommitResult,
  MetaEntry,
  MetaKey,
  MetaListOptions,
  MetaMutation,
  MetaSelector,
  MetaStore,
} from "./meta_store.ts";

/** Deno KV holds at most this many keys per `getMany`. */
const KV_MAX_GET_MANY = 10;

/** The embedded metadata store. */
export class KvMetaStore implements MetaStore {
  readonly #kv: Deno.Kv;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Opens (creating if needed) the KV file at `path`. */
  static async open(path: string): Promise<KvMetaStore> {
    return new KvMetaStore(await Deno.openKv(path));
  }

  /** See `MetaStore.get`. */
  async get(key: MetaKey): Promise<MetaEntry | null> {
    const entry = await this.#kv.get(key as Deno.KvKey);
    return entry.versionstamp === null
      ? null
      : { key: fromKvKey(entry.key), value: entry.value, versionstamp: entry.versionstamp };
  }

  /** See `MetaStore.getMany`. */
  async getMany(keys: readonly MetaKey[]): Promise<(MetaEntry | null)[]> {
    if (keys.length > KV_MAX_GET_MANY) {
      throw new StoreError(
        "invalid_argument",
        `getMany takes at most ${KV_MAX_GET_MANY} keys, got ${keys.length}`,
      );
    }
    const entries = await this.#kv.getMany(keys as Deno.KvKey[]);
    return entries.map((entry) =>
      entry.versionstamp === null
        ? null
        : { key: fromKvKey(entry.key), value: entry.value, versionstamp: entry.versionstamp }
    );
  }

  /** See `MetaStore.list`. */
  async *list(selector: MetaSelector, options: MetaListOptions): AsyncIterable<MetaEntry> {
    const kvSelector: Deno.KvListSelector = selector.start !== undefined && selector.end !== undefined
      ? { start: selector.start as Deno.KvKey, end: selector.end as Deno.KvKey }
      : selector.start !== undefined
      ? { prefix: selector.prefix as Deno.KvKey, start: selector.start as Deno.KvKey }
      : selector.end !== undefined
      ? { prefix: selector.prefix as Deno.KvKey, end: selector.end as Deno.KvKey }
      : { prefix: selector.prefix as Deno.KvKey };
    const iterator = this.#kv.list(kvSelector, {
      limit: options.limit,
      reverse: options.reverse ?? false,
      batchSize: Math.min(options.limit, 500),
    });
    for await (const entry of iterator) {
      yield { key: fromKvKey(entry.key), value: entry.value, versionstamp: entry.versionstamp };
    }
  }

  /** See `MetaStore.commit`. */
  async commit(checks: readonly MetaCheck[], mutations: readonly MetaMutation[]): Promise<MetaCommitResult> {
    if (mutations.length > KV_MAX_MUTATIONS) {
      throw new StoreError(
        "invalid_argument",
        `A commit holds at most ${KV_MAX_MUTATIONS} mutations, got ${mutations.length}`,
      );
    }
    const atomic = this.#kv.atomic();
    for (const check of checks) {
      atomic.check({ key: check.key as Deno.KvKey, versionstamp: check.versionstamp });
    }
    for (const mutation of mutations) {
      const key = mutation.key as Deno.KvKey;
      if (mutation.type === "set") atomic.set(key, mutation.value);
      else if (mutation.type === "delete") atomic.delete(key);
      else atomic.sum(key, mutation.by);
    }
    const result = await atomic.commit();
    return result.ok ? { ok: true, versionstamp: result.versionstamp } : { ok: false };
  }

  /** See `MetaStore.close`. */
  close(): void {
    this.#kv.close();
  }
}

/** KV keys we write never hold symbols (KV's in-memory-only key part), so the cast is safe. */
function fromKvKey(key: Deno.KvKey): MetaKey {
  return key as MetaKey;
}
