/** The HTTP surface: the S3 gateway app, its error catalog and request parsing. */
export { createGatewayApp } from "./gateway_app.ts";
export type { GatewayConnection, GatewayServices, S3Owner } from "./request_context.ts";
export { S3Error, type S3ErrorCode } from "./s3_errors.ts";
