/**
 * Canned ACLs on the wire: the `x-amz-acl` request header, and the AccessControlPolicy document that
 * Get*Acl returns for each canned ACL (owner FULL_CONTROL plus the group grants S3 defines).
 */
import { type CannedAcl, cannedAclSchema } from "../storage/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { renderXml, S3_XMLNS, type XmlElement } from "./xml.ts";

const GRANT_HEADERS = [
  "x-amz-grant-read",
  "x-amz-grant-write",
  "x-amz-grant-read-acp",
  "x-amz-grant-write-acp",
  "x-amz-grant-full-control",
];
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";

/** The canned ACL a request asks for (`private` when none); explicit grants are not supported yet. */
export function cannedAclFrom(headers: Headers): CannedAcl {
  const grant = GRANT_HEADERS.find((name) => headers.has(name));
  if (grant !== undefined) {
    throw new S3Error("NotImplemented", `Explicit grants (${grant}) are not supported yet; use x-amz-acl`);
  }
  const value = headers.get("x-amz-acl");
  if (value === null) return "private";
  const parsed = cannedAclSchema.safeParse(value);
  if (!parsed.success) {
    throw new S3Error("InvalidArgument", `The canned ACL ${JSON.stringify(value)} is not supported`, {
      ArgumentName: "x-amz-acl",
      ArgumentValue: value,
    });
  }
  return parsed.data;
}

/** The AccessControlPolicy document for `acl` on a resource owned by `ownerId`. */
export function renderAccessControlPolicy(ownerId: string, displayName: string, acl: CannedAcl): string {
  const owner = { ID: ownerId, DisplayName: displayName };
  const grants: XmlElement[] = [{
    Grantee: { "@_xmlns:xsi": XSI, "@_xsi:type": "CanonicalUser", ...owner },
    Permission: "FULL_CONTROL",
  }];
  const group = (uri: string, permission: string): XmlElement => ({
    Grantee: { "@_xmlns:xsi": XSI, "@_xsi:type": "Group", URI: uri },
    Permission: permission,
  });
  if (acl === "public-read" || acl === "public-read-write") grants.push(group(ALL_USERS, "READ"));
  if (acl === "public-read-write") grants.push(group(ALL_USERS, "WRITE"));
  if (acl === "authenticated-read") grants.push(group(AUTHENTICATED_USERS, "READ"));
  return renderXml("AccessControlPolicy", {
    "@_xmlns": S3_XMLNS,
    Owner: owner,
    AccessControlList: { Grant: grants },
  });
}
