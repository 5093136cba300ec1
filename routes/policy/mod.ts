/** Bucket policies: parsing and validating the JSON document, and evaluating it for a request. */
export * from "./policy_document.ts";
export * from "./policy_evaluator.ts";
export { CONDITION_OPERATORS, type ConditionOperator } from "./condition_operators.ts";
export { PolicyMemo, type StoredPolicy } from "./policy_memo.ts";
