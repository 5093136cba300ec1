/**
 * Identifiers as 32 lower-case hex digits: data ids are 128 random bits; upload ids lead with the time
 * so that one key's uploads list in the order they were started, as S3 lists them.
 */
import { toHex } from "../storage/mod.ts";

/** A 32-hex-digit id: 12 digits of `nowMs` (good until the year 10889), then 80 random bits. */
export function newTimeOrderedId(nowMs: number): string {
  return Math.floor(nowMs).toString(16).padStart(12, "0") + toHex(crypto.getRandomValues(new Uint8Array(10)));
}

/** A new random 32-hex-digit id. */
export function newRandomId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * How far a pass over data ids in key order has come when it stands after `dataId` (0 at the start, "" is
 * the start): data ids are uniformly random hex, so their first 8 digits say it.
 */
export function passProgress(dataId: string): number {
  if (dataId === "") return 0;
  const lead = parseInt(dataId.slice(0, 8).padEnd(8, "0"), 16);
  return Number.isFinite(lead) ? lead / 0xffffffff : 0;
}
