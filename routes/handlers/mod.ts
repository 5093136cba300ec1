/** The S3 operation handlers, one file per family of operations. */
export * as bucketHandlers from "./bucket_handlers.ts";
export * as listHandlers from "./list_handlers.ts";
export * as multipartHandlers from "./multipart_handlers.ts";
export * as objectHandlers from "./object_handlers.ts";
export * as aclHandlers from "./acl_handlers.ts";
export * as policyHandlers from "./policy_handlers.ts";
export * as taggingHandlers from "./tagging_handlers.ts";
export { deleteObjects } from "./delete_objects_handler.ts";
export * as corsHandlers from "./cors_handlers.ts";
export * as lifecycleHandlers from "./lifecycle_handlers.ts";
export * as versioningHandlers from "./versioning_handlers.ts";
export { postObject } from "./post_object_handler.ts";
export { getObjectAttributes } from "./attributes_handler.ts";
export { restoreObject } from "./restore_handler.ts";
