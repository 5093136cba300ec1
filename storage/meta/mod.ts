/** Metadata at rest: the narrow store interface, its Deno KV implementation, key layout and records. */
export * from "./meta_store.ts";
export * from "./kv_meta_store.ts";
export * from "./keys.ts";
export * from "./records.ts";
export * from "./catalog.ts";
export * from "./catalog_transaction.ts";
