/**
 * Canned ACLs on the wire: the `x-amz-acl` request header, the AccessControlPolicy document that
 * Get*Acl returns for each canned ACL (owner FULL_CONTROL plus the group grants S3 defines), and the
 * explicit forms Put*Acl also takes (an AccessControlPolicy body, or `x-amz-grant-*` headers) when their
 * grants are exactly those of one canned ACL. Pure.
 */
import { type CannedAcl, cannedAclSchema } from "../storage/mod.ts";
import { S3Error } from "./s3_errors.ts";
import { parseXml, renderXml, S3_XMLNS, type XmlElement } from "./xml.ts";

/** The `x-amz-grant-*` headers and the permission each grants. */
const GRANT_HEADERS = {
  "x-amz-grant-read": "READ",
  "x-amz-grant-write": "WRITE",
  "x-amz-grant-read-acp": "READ_ACP",
  "x-amz-grant-write-acp": "WRITE_ACP",
  "x-amz-grant-full-control": "FULL_CONTROL",
} as const;
const PERMISSIONS: ReadonlySet<string> = new Set(Object.values(GRANT_HEADERS));
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const CANNED_ACLS: readonly CannedAcl[] = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
];

/** Largest AccessControlPolicy body Put*Acl reads (a canned-equivalent one is well under 2 KiB). */
export const MAX_ACL_BODY_BYTES = 64 * 1024;

/** One grant: who (`id:…`, `uri:…` or `email:…`) gets which permission. */
interface Grant {
  readonly grantee: string;
  readonly permission: string;
}

/** The canned ACL a request asks for (`private` when none); explicit grants are refused (NotImplemented). */
export function cannedAclFrom(headers: Headers): CannedAcl {
  const grant = Object.keys(GRANT_HEADERS).find((name) => headers.has(name));
  if (grant !== undefined) {
    throw new S3Error("NotImplemented", `Explicit grants (${grant}) are not supported here; use x-amz-acl`);
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

/**
 * The canned ACL a Put{Bucket,Object}Acl request sets on a resource owned by `ownerId`: from its
 * AccessControlPolicy `body`, else its `x-amz-grant-*` headers, else `x-amz-acl`. Explicit grants must be
 * exactly those of one canned ACL (NotImplemented otherwise); a body that is not a valid policy is
 * MalformedACLError; an Owner other than `ownerId` is AccessDenied; no ACL at all is MissingSecurityHeader.
 */
export function cannedAclOfPutAcl(headers: Headers, body: string, ownerId: string): CannedAcl {
  const hasBody = body.trim() !== "";
  const hasCanned = headers.has("x-amz-acl");
  const hasGrants = Object.keys(GRANT_HEADERS).some((name) => headers.has(name));
  if (hasBody && (hasCanned || hasGrants)) {
    throw new S3Error(
      "InvalidRequest",
      "This request does not support content with x-amz-acl or x-amz-grant-* headers",
    );
  }
  if (hasCanned && hasGrants) {
    throw new S3Error("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
  }
  if (hasBody) return cannedAclOfGrants(grantsOfPolicy(body, ownerId), ownerId);
  if (hasGrants) return cannedAclOfGrants(grantsOfHeaders(headers), ownerId);
  if (!hasCanned) {
    throw new S3Error("MissingSecurityHeader", "Your request was missing a required header: x-amz-acl");
  }
  return cannedAclFrom(headers);
}

/** The AccessControlPolicy document for `acl` on a resource owned by `ownerId`. */
export function renderAccessControlPolicy(ownerId: string, displayName: string, acl: CannedAcl): string {
  const owner = { ID: ownerId, DisplayName: displayName };
  const grants: XmlElement[] = [{
    Grantee: { "@_xmlns:xsi": XSI, "@_xsi:type": "CanonicalUser", ...owner },
    Permission: "FULL_CONTROL",
  }];
  for (const grant of cannedGrants(acl, ownerId).slice(1)) {
    grants.push({
      Grantee: { "@_xmlns:xsi": XSI, "@_xsi:type": "Group", URI: grant.grantee.slice("uri:".length) },
      Permission: grant.permission,
    });
  }
  return renderXml("AccessControlPolicy", {
    "@_xmlns": S3_XMLNS,
    Owner: owner,
    AccessControlList: { Grant: grants },
  });
}

/** S3's MalformedACLError (400): the ACL document is not well-formed or not a valid AccessControlPolicy. */
export function malformedAclError(detail: string): S3Error {
  return new S3Error(
    "MalformedACLError",
    `The XML you provided was not well-formed or did not validate against our published schema: ${detail}`,
  );
}

/** The grants of `acl` on a resource owned by `ownerId`, the owner's FULL_CONTROL first. */
function cannedGrants(acl: CannedAcl, ownerId: string): Grant[] {
  const grants: Grant[] = [{ grantee: `id:${ownerId}`, permission: "FULL_CONTROL" }];
  if (acl === "public-read" || acl === "public-read-write") {
    grants.push({ grantee: `uri:${ALL_USERS}`, permission: "READ" });
  }
  if (acl === "public-read-write") grants.push({ grantee: `uri:${ALL_USERS}`, permission: "WRITE" });
  if (acl === "authenticated-read") {
    grants.push({ grantee: `uri:${AUTHENTICATED_USERS}`, permission: "READ" });
  }
  return grants;
}

/** The canned ACL whose grants are exactly `grants` (repeats ignored); NotImplemented when none is. */
function cannedAclOfGrants(grants: readonly Grant[], ownerId: string): CannedAcl {
  const keyOf = (grant: Grant) => `${grant.permission} ${grant.grantee}`;
  const wanted = new Set(grants.map(keyOf));
  const match = CANNED_ACLS.find((acl) => {
    const canned = new Set(cannedGrants(acl, ownerId).map(keyOf));
    return canned.size === wanted.size && [...canned].every((key) => wanted.has(key));
  });
  if (match === undefined) {
    throw new S3Error(
      "NotImplemented",
      "Only grants equal to a canned ACL are supported: the owner's FULL_CONTROL alone (private), plus " +
        "AllUsers READ (public-read), plus AllUsers READ and WRITE (public-read-write), or plus " +
        "AuthenticatedUsers READ (authenticated-read)",
    );
  }
  return match;
}

/** The grants of the `x-amz-grant-*` headers: comma-separated `id="…"`, `uri="…"` or `emailAddress="…"`. */
function grantsOfHeaders(headers: Headers): Grant[] {
  const grants: Grant[] = [];
  for (const [name, permission] of Object.entries(GRANT_HEADERS)) {
    const value = headers.get(name);
    if (value === null) continue;
    for (const item of value.split(",")) {
      const match = /^\s*(id|uri|emailAddress)\s*=\s*(?:"([^"]*)"|([^"\s]*))\s*$/i.exec(item);
      const target = match?.[2] ?? match?.[3] ?? "";
      if (match === null || target === "") {
        throw new S3Error("InvalidArgument", "Argument format not recognized", {
          ArgumentName: name,
          ArgumentValue: value,
        });
      }
      const type = match[1].toLowerCase() === "emailaddress" ? "email" : match[1].toLowerCase();
      grants.push({ grantee: `${type}:${target}`, permission });
    }
  }
  return grants;
}

/** The grants of an AccessControlPolicy document whose Owner must be `ownerId`. */
function grantsOfPolicy(body: string, ownerId: string): Grant[] {
  let root: Record<string, unknown>;
  try {
    root = parseXml(body, "AccessControlPolicy");
  } catch (error) {
    if (error instanceof S3Error) throw malformedAclError(error.message);
    throw error;
  }
  const owner = elementOf(root.Owner);
  if (owner === null || !isText(owner.ID)) throw malformedAclError("an <Owner> with an <ID> is required");
  if (owner.ID !== ownerId) {
    throw new S3Error("AccessDenied", "Access Denied: the Owner of an ACL must be the resource's owner");
  }
  const list = root.AccessControlList;
  if (list === "") return [];
  const acl = elementOf(list);
  if (acl === null) throw malformedAclError("an <AccessControlList> is required");
  const entries = acl.Grant === undefined ? [] : Array.isArray(acl.Grant) ? acl.Grant : [acl.Grant];
  return entries.map((entry: unknown) => {
    const grant = elementOf(entry);
    const grantee = elementOf(grant?.Grantee);
    const permission = grant?.Permission;
    if (grantee === null || typeof permission !== "string" || !PERMISSIONS.has(permission)) {
      throw malformedAclError("every <Grant> needs a <Grantee> and a valid <Permission>");
    }
    const named = [["id", grantee.ID], ["uri", grantee.URI], ["email", grantee.EmailAddress]]
      .filter(([, value]) => value !== undefined);
    if (named.length !== 1 || !isText(named[0][1])) {
      throw malformedAclError("every <Grantee> needs exactly one <ID>, <URI> or <EmailAddress>");
    }
    return { grantee: `${named[0][0]}:${named[0][1]}`, permission };
  });
}

function elementOf(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : null;
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
