/**
 * SigV4 for browser form uploads (POST Object): the signature is the hex HMAC-SHA256 of the base64 policy
 * field under the signing key of the credential field, so the policy, and with it every condition on the
 * form, is what the key holder approved.
 */
import { S3Error } from "../s3_errors.ts";
import type { AuthOptions } from "./auth_types.ts";
import { parseCredential } from "./credential_scope.ts";
import { signaturesEqual, signHex, SIGV4_ALGORITHM } from "./request_signature.ts";
import { deriveSigningKey } from "./signing_key.ts";

/** The form fields (lower-case names) a signed form upload carries. */
export interface SignedFormFields {
  readonly policy: string;
  readonly algorithm: string | undefined;
  readonly credential: string | undefined;
  readonly date: string | undefined;
  readonly signature: string | undefined;
}

/**
 * The access key that signed the form's policy; `InvalidArgument` for missing or unsupported signing
 * fields, `InvalidAccessKeyId` for an unknown key, `SignatureDoesNotMatch` for a wrong signature.
 */
export async function verifyPostSignature(form: SignedFormFields, options: AuthOptions): Promise<string> {
  const missing = (name: string) =>
    new S3Error("InvalidArgument", `Bucket POST must contain a field named '${name}'.`, {
      ArgumentName: name,
    });
  if (form.algorithm === undefined) throw missing("x-amz-algorithm");
  if (form.algorithm !== SIGV4_ALGORITHM) {
    throw new S3Error(
      "InvalidArgument",
      `Unsupported x-amz-algorithm ${form.algorithm}; use ${SIGV4_ALGORITHM}.`,
      {
        ArgumentName: "x-amz-algorithm",
      },
    );
  }
  if (form.credential === undefined) throw missing("x-amz-credential");
  if (form.date === undefined) throw missing("x-amz-date");
  if (form.signature === undefined) throw missing("x-amz-signature");
  const credential = parseCredential(form.credential, options.region, "query");
  if (!form.date.startsWith(credential.date)) {
    throw new S3Error("InvalidArgument", "x-amz-date must be on the day of the x-amz-credential scope", {
      ArgumentName: "x-amz-date",
    });
  }
  const secret = await options.lookupSecretKey(credential.accessKeyId);
  if (secret === null) {
    throw new S3Error(
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  const signingKey =
    options.signingKeys?.get(secret, credential.date, credential.region, credential.service) ??
      deriveSigningKey(secret, credential.date, credential.region, credential.service);
  if (!signaturesEqual(signHex(signingKey, form.policy), form.signature)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return credential.accessKeyId;
}
