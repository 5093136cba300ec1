/**
 * Version ids and the order of version records. A version id is 12 hex digits of the inverted write time
 * then 20 random hex digits, so the ids of one key sort newest first; that id is also the record's order.
 * The `null` version (written while versioning is Suspended, or before it was ever enabled) gets an order
 * from its own time, ending in `n` so it sorts after any real id of the same millisecond.
 */
import { toHex } from "../storage/mod.ts";

const LATEST_MS = 0xffffffffffff;
const VERSION_ID = /^[0-9a-f]{32}$/;

/** The inverted time prefix of an order: later times sort first. */
function invertedTime(ms: number): string {
  return (LATEST_MS - Math.floor(ms)).toString(16).padStart(12, "0");
}

/** A new version id for a write at `nowMs`. */
export function newVersionId(nowMs: number): string {
  return invertedTime(nowMs) + toHex(crypto.getRandomValues(new Uint8Array(10)));
}

/** The order of a `null` version last modified at `ms`. */
export function nullVersionOrder(ms: number): string {
  return `${invertedTime(ms)}n`;
}

/** True when `text` is a version id this store issues (`null` is not one). */
export function isVersionId(text: string): boolean {
  return VERSION_ID.test(text);
}
