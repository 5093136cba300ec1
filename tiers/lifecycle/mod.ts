/** Lifecycle: the configuration contract, its validation and its stored form. */
export * from "./lifecycle_rules.ts";
export * from "./lifecycle_document.ts";
export * from "./lifecycle_validation.ts";
