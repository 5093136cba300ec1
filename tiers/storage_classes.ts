/**
 * Storage classes and the tiers behind them. The regional tier (6 + 3 by default) holds STANDARD and the
 * infrequent-access classes, which S3 keeps as readable as STANDARD; the archive tier (its own pool of
 * workers and a wider code) holds the Glacier classes. GLACIER_IR is readable directly; GLACIER and
 * DEEP_ARCHIVE objects must be restored before a GET, as on S3.
 */
import { TRANSITION_STORAGE_CLASSES } from "./lifecycle/mod.ts";

/** Every storage class a PUT, a copy or a multipart upload may name: the two warm ones and the colder. */
export const STORAGE_CLASSES = ["STANDARD", "REDUCED_REDUNDANCY", ...TRANSITION_STORAGE_CLASSES] as const;
/** A storage class. */
export type StorageClass = typeof STORAGE_CLASSES[number];

const ARCHIVE_CLASSES: ReadonlySet<string> = new Set(["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]);
const RESTORE_FIRST_CLASSES: ReadonlySet<string> = new Set(["GLACIER", "DEEP_ARCHIVE"]);

/** True when `name` is a storage class this store knows. */
export function isStorageClass(name: string): name is StorageClass {
  return (STORAGE_CLASSES as readonly string[]).includes(name);
}

/** The tier that holds objects of `storageClass`. */
export function tierOfStorageClass(storageClass: string): "regional" | "archive" {
  return ARCHIVE_CLASSES.has(storageClass) ? "archive" : "regional";
}

/** True when objects of `storageClass` answer GET with InvalidObjectState until restored. */
export function needsRestore(storageClass: string): boolean {
  return RESTORE_FIRST_CLASSES.has(storageClass);
}
