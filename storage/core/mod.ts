/** Foundations shared by every layer: errors, limits, checksums, byte helpers, clock and logging. */
export * from "./errors.ts";
export * from "./limits.ts";
export * from "./checksum.ts";
export * from "./clock.ts";
export * from "./logger.ts";
export * from "./bytes.ts";
export * from "./exact_reader.ts";
export * from "./digest_stream.ts";
export { Md5Pool, type Md5PoolOptions } from "./md5_pool.ts";
export * from "./crc32c.ts";
export * from "./metrics.ts";
export * from "./crc64nvme.ts";
export * from "./crc_combine.ts";
export * from "./byte_rate_limiter.ts";
export * from "./sleep.ts";
