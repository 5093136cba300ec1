import { assertEquals } from "../tests/support/asserts.ts";
import { cannedAclFrom, cannedAclOfPutAcl, renderAccessControlPolicy } from "./acl_xml.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";

const OWNER = "a".repeat(64);
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/** An AccessControlPolicy as s3cmd writes it: owner ID only, grantees without display names. */
function policy(grants: string[], owner = OWNER): string {
  const grant = (grantee: string, permission: string) => {
    const [type, tag] = grantee.startsWith("http") ? ["Group", "URI"] : ["CanonicalUser", "ID"];
    return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="${type}">` +
      `<${tag}>${grantee}</${tag}></Grantee><Permission>${permission}</Permission></Grant>`;
  };
  const list = grants.map((entry) => {
    const [grantee, permission] = entry.split(" ");
    return grant(grantee, permission);
  }).join("");
  return `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${owner}</ID>` +
    `</Owner><AccessControlList>${list}</AccessControlList></AccessControlPolicy>`;
}

const fromBody = (body: string) => cannedAclOfPutAcl(new Headers(), body, OWNER);
const fromHeaders = (headers: Record<string, string>) => cannedAclOfPutAcl(new Headers(headers), "", OWNER);

Deno.test("cannedAclOfPutAcl: a policy whose grants equal a canned ACL sets it", () => {
  const owner = `${OWNER} FULL_CONTROL`;
  assertEquals(fromBody(policy([owner])), "private");
  assertEquals(fromBody(policy([owner, `${ALL_USERS} READ`])), "public-read");
  assertEquals(fromBody(policy([`${ALL_USERS} WRITE`, owner, `${ALL_USERS} READ`])), "public-read-write");
  assertEquals(fromBody(policy([owner, `${AUTHENTICATED_USERS} READ`])), "authenticated-read");
  assertEquals(fromBody(policy([owner, owner, `${ALL_USERS} READ`])), "public-read", "repeats are one grant");
});

Deno.test("cannedAclOfPutAcl: the document Get*Acl renders round-trips for every canned ACL", () => {
  for (const acl of ["private", "public-read", "public-read-write", "authenticated-read"] as const) {
    assertEquals(fromBody(renderAccessControlPolicy(OWNER, "owner", acl)), acl);
  }
});

Deno.test("cannedAclOfPutAcl: grants that are no canned ACL are NotImplemented", () => {
  const owner = `${OWNER} FULL_CONTROL`;
  const notCanned = [
    [],
    [`${ALL_USERS} READ`],
    [owner, `${ALL_USERS} FULL_CONTROL`],
    [owner, `${ALL_USERS} READ_ACP`],
    [owner, `${ALL_USERS} WRITE`],
    [owner, `${"b".repeat(64)} READ`],
    [owner, `${ALL_USERS} READ`, `${AUTHENTICATED_USERS} READ`],
    [owner, "http://acs.amazonaws.com/groups/s3/LogDelivery WRITE"],
    [`${OWNER} READ`, `${OWNER} WRITE`, `${OWNER} READ_ACP`, `${OWNER} WRITE_ACP`],
  ];
  for (const grants of notCanned) {
    assertEquals(thrownS3Code(() => fromBody(policy(grants))), "NotImplemented");
  }
  const email = policy([owner]).replace(
    "</AccessControlList>",
    "<Grant><Grantee><EmailAddress>x@example.com</EmailAddress></Grantee><Permission>READ</Permission>" +
      "</Grant></AccessControlList>",
  );
  assertEquals(thrownS3Code(() => fromBody(email)), "NotImplemented");
});

Deno.test("cannedAclOfPutAcl: a broken policy is MalformedACLError; another Owner is AccessDenied", () => {
  const malformed = [
    "<AccessControlPolicy><Unclosed>",
    "not xml",
    "<Other/>",
    '<!DOCTYPE AccessControlPolicy [<!ENTITY x "y">]><AccessControlPolicy/>',
    "<AccessControlPolicy/>",
    "<AccessControlPolicy><AccessControlList/></AccessControlPolicy>",
    `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner></AccessControlPolicy>`,
    "<AccessControlPolicy><Owner/><AccessControlList/></AccessControlPolicy>",
    policy([`${OWNER} FULL_CONTROL`]).replace("<Permission>FULL_CONTROL", "<Permission>EVERYTHING"),
    policy([`${OWNER} FULL_CONTROL`]).replace(/<Permission>.*<\/Permission>/, ""),
    policy([`${OWNER} FULL_CONTROL`]).replace(`<ID>${OWNER}</ID></Grantee>`, "</Grantee>"),
    policy([`${OWNER} FULL_CONTROL`]).replace(
      `<ID>${OWNER}</ID></Grantee>`,
      `<ID>${OWNER}</ID><URI>${ALL_USERS}</URI></Grantee>`,
    ),
    `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee/></Grant>` +
    "</AccessControlList></AccessControlPolicy>",
  ];
  for (const body of malformed) assertEquals(thrownS3Code(() => fromBody(body)), "MalformedACLError", body);
  const empty =
    `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList/></AccessControlPolicy>`;
  assertEquals(thrownS3Code(() => fromBody(empty)), "NotImplemented", "no grants at all is no canned ACL");
  const giveaway = policy([`${OWNER} FULL_CONTROL`], "b".repeat(64));
  assertEquals(thrownS3Code(() => fromBody(giveaway)), "AccessDenied");
});

Deno.test("cannedAclOfPutAcl: x-amz-grant-* headers equal to a canned ACL set it", () => {
  const owner = { "x-amz-grant-full-control": `id="${OWNER}"` };
  assertEquals(fromHeaders(owner), "private");
  assertEquals(fromHeaders({ ...owner, "x-amz-grant-read": `uri="${ALL_USERS}"` }), "public-read");
  assertEquals(
    fromHeaders({ ...owner, "x-amz-grant-read": `uri=${AUTHENTICATED_USERS}` }),
    "authenticated-read",
  );
  assertEquals(
    fromHeaders({
      ...owner,
      "x-amz-grant-read": `uri="${ALL_USERS}"`,
      "x-amz-grant-write": `uri="${ALL_USERS}"`,
    }),
    "public-read-write",
  );
  assertEquals(
    thrownS3Code(() => fromHeaders({ "x-amz-grant-read": `uri="${ALL_USERS}"` })),
    "NotImplemented",
  );
  const other = { ...owner, "x-amz-grant-read": `uri="${ALL_USERS}", emailAddress="x@example.com"` };
  assertEquals(thrownS3Code(() => fromHeaders(other)), "NotImplemented");
  for (const bad of ["nonsense", `id=`, `name="x"`, `id="a" id="b"`]) {
    assertEquals(
      thrownS3Code(() => fromHeaders({ "x-amz-grant-full-control": bad })),
      "InvalidArgument",
      bad,
    );
  }
});

Deno.test("cannedAclOfPutAcl: x-amz-acl; mixed forms InvalidRequest; none MissingSecurityHeader", () => {
  assertEquals(fromHeaders({ "x-amz-acl": "public-read" }), "public-read");
  assertEquals(thrownS3Code(() => fromHeaders({ "x-amz-acl": "bucket-owner-read" })), "InvalidArgument");
  assertEquals(thrownS3Code(() => fromHeaders({})), "MissingSecurityHeader");
  assertEquals(
    thrownS3Code(() => fromHeaders({ "x-amz-acl": "private", "x-amz-grant-read": `uri="${ALL_USERS}"` })),
    "InvalidRequest",
  );
  const body = policy([`${OWNER} FULL_CONTROL`]);
  const withHeader = () => cannedAclOfPutAcl(new Headers({ "x-amz-acl": "private" }), body, OWNER);
  assertEquals(thrownS3Code(withHeader), "InvalidRequest");
  assertEquals(cannedAclOfPutAcl(new Headers({ "x-amz-acl": "private" }), "  \n", OWNER), "private");
});

Deno.test("cannedAclFrom: x-amz-acl or private; grant headers stay NotImplemented outside Put*Acl", () => {
  assertEquals(cannedAclFrom(new Headers()), "private");
  assertEquals(cannedAclFrom(new Headers({ "x-amz-acl": "authenticated-read" })), "authenticated-read");
  assertEquals(
    thrownS3Code(() => cannedAclFrom(new Headers({ "x-amz-grant-read": `uri="${ALL_USERS}"` }))),
    "NotImplemented",
  );
});
