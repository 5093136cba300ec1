/**
 * Lifecycle: the configuration contract, its validation and its stored form, the pure evaluator, the length
 * of a lifecycle day, and the executor that applies the rules.
 */
export * from "./lifecycle_rules.ts";
export * from "./lifecycle_document.ts";
export * from "./lifecycle_validation.ts";
export * from "./lifecycle_days.ts";
export * from "./lifecycle_evaluator.ts";
export * from "./lifecycle_scanner.ts";
export * from "./lifecycle_facts.ts";
