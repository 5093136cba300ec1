/**
 * AWS Signature Version 4 for the S3 gateway: `authenticateRequest` checks who signed a request
 * (Authorization header, presigned URL, or anonymous), and `verifiedBody` turns its body into a
 * stream that decodes aws-chunked framing and errors unless every digest, checksum and chunk
 * signature matches.
 */
export { authenticateRequest, plainAnonymous } from "./authenticate.ts";
export { type VerifiedBody, verifiedBody } from "./verified_body.ts";
export type { AuthOptions, AuthResult, ChunkSigningContext, PayloadMode } from "./auth_types.ts";
export type { PayloadCheckOptions } from "./payload_headers.ts";
export { SigningKeyCache } from "./signing_key.ts";
export { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, createChecksum } from "./checksum_algorithms.ts";
export { MAX_PRESIGNED_EXPIRES_SECONDS } from "./presigned_query.ts";
export { rawRequestTarget, type RawTarget } from "./raw_target.ts";
export { type SignedFormFields, verifyPostSignature } from "./post_signature.ts";
