/**
 * The one catalog of S3 errors: each code with the HTTP status that S3 clients expect. Routes throw
 * `S3Error`; `app.onError` is the only place that renders it (see `error_response.ts`).
 */

/** S3 error codes this gateway answers with, and their HTTP status. */
export const S3_ERROR_STATUS = {
  AccessDenied: 403,
  AccessForbidden: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidPartNumber: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedPolicy: 400,
  MalformedXML: 400,
  MalformedACLError: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceeded: 400,
  InvalidPolicyDocument: 400,
  MetadataTooLarge: 400,
  InvalidStorageClass: 400,
  InvalidObjectState: 403,
  RestoreAlreadyInProgress: 409,
  InvalidTag: 400,
  InvalidURI: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchBucket: 404,
  NoSuchBucketPolicy: 404,
  NoSuchEntity: 404,
  NoSuchCORSConfiguration: 404,
  NoSuchLifecycleConfiguration: 404,
  NoSuchKey: 404,
  NoSuchVersion: 404,
  NoSuchTagSet: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  SlowDown: 503,
  XAmzContentSHA256Mismatch: 400,
  InvalidObjectName: 400,
  TooManyParts: 400,
} as const;

/** One S3 error code. */
export type S3ErrorCode = keyof typeof S3_ERROR_STATUS;

/** Extra fields rendered inside the `<Error>` element (for example `BucketName`, `Key`). */
export type S3ErrorDetails = Record<string, string>;

/** An error that the gateway answers with as an S3 XML error body. */
export class S3Error extends Error {
  /** The S3 error code, e.g. `NoSuchKey`. */
  readonly code: S3ErrorCode;
  /** The HTTP status of the response. */
  readonly status: number;
  /** Extra elements of the XML body. */
  readonly details: S3ErrorDetails;
  /** Extra response headers (for example `x-amz-delete-marker` on a request that met a delete marker). */
  readonly headers: Record<string, string> = {};

  constructor(code: S3ErrorCode, message: string, details: S3ErrorDetails = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = "S3Error";
    this.code = code;
    this.status = S3_ERROR_STATUS[code];
    this.details = details;
  }
}
