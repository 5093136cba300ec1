/** Where an object's bytes live and how they move: buckets, objects, multipart, inline and regional tiers. */
export * from "./bucket_service.ts";
export * from "./object_service.ts";
export * from "./multipart_service.ts";
export * from "./object_lister.ts";
export * from "./regional_tier.ts";
export * from "./data_reader.ts";
export * from "./pending_write.ts";
export * from "./edge_cache.ts";
export * from "./coherent_cache.ts";
export * from "./write_condition.ts";
export * from "./upload_lister.ts";
export * from "./user_service.ts";
export * from "./multipart_checksum.ts";
export * from "./versions.ts";
export * from "./version_lister.ts";
export * from "./shard_repairer.ts";
export * from "./shard_auditor.ts";
