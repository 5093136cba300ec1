/**
 * Malformed XML bodies through real processes, sent raw and signed (an SDK would refuse to build them):
 * PutBucketCors, Put{Object,Bucket}Tagging (a `<Tag>` without `<Value>` included), PutBucketVersioning,
 * Put{Bucket,Object}Acl with an AccessControlPolicy body (MalformedACLError), and DeleteObjects each answer
 * the S3 error AWS answers, and nothing changes:
 * the configuration, tags, ACLs and objects read back afterwards are the ones set before.
 */
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketCorsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { TestCluster } from "../support/cluster.ts";
import { assert, assertEquals } from "../support/asserts.ts";
import { signedFetch } from "../support/signed_fetch.ts";

/** Broken in ways every XML body can be: not well-formed, not XML, another root, a DOCTYPE, empty. */
function brokenDocuments(root: string): string[] {
  return [
    `<${root}><Unclosed>`,
    `<${root}></${root}`,
    "not xml at all",
    "<Other/>",
    `<!DOCTYPE ${root} [<!ENTITY x "y">]><${root}/>`,
    "",
  ];
}

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

Deno.test("malformed XML bodies get AWS's error and change nothing", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  const bucket = "xml-bad";
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ACL: "public-read" }));
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: "obj.txt",
      Body: "kept",
      ACL: "public-read",
      Tagging: "keep=yes",
    }),
  );
  /** A signed request with `body` (and its Content-MD5, as SDKs send): status and body text. */
  const send = async (method: string, path: string, body: string) => {
    const md5 = createHash("md5").update(body).digest("base64");
    const response = await signedFetch(`${cluster.endpoint}/${bucket}${path}`, {
      method,
      body,
      headers: { "content-md5": md5 },
    });
    return { status: response.status, text: await response.text() };
  };
  /** Each body is refused with `status` and one of `codes`. */
  const refuseAll = async (
    method: string,
    path: string,
    bodies: string[],
    status: number,
    codes: string[],
  ) => {
    for (const body of bodies) {
      const answer = await send(method, path, body);
      const code = /<Code>([^<]*)<\/Code>/.exec(answer.text)?.[1] ?? "";
      assert(
        codes.includes(code) && answer.status === (code === "NotImplemented" ? 501 : status),
        `${method} ${path} ${JSON.stringify(body)}: ${answer.status} ${answer.text}`,
      );
    }
  };

  await t.step("PutBucketCors: MalformedXML, the rules stay", async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ["https://a.example"], AllowedMethods: ["GET"] }],
        },
      }),
    );
    await refuseAll(
      "PUT",
      "?cors",
      [
        ...brokenDocuments("CORSConfiguration"),
        "<CORSConfiguration/>",
        "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
        "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
      ],
      400,
      ["MalformedXML"],
    );
    const rules = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    assertEquals(rules.CORSRules?.map((rule) => [rule.AllowedOrigins, rule.AllowedMethods]), [
      [["https://a.example"], ["GET"]],
    ]);
  });

  await t.step("PutObjectTagging and PutBucketTagging: MalformedXML, the tags stay", async () => {
    await s3.send(
      new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: "team", Value: "a" }] } }),
    );
    const bodies = [
      ...brokenDocuments("Tagging"),
      "<Tagging/>",
      "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>",
      "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
      "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>k</Key></Tag></TagSet></Tagging>",
    ];
    await refuseAll("PUT", "/obj.txt?tagging", bodies, 400, ["MalformedXML"]);
    await refuseAll("PUT", "?tagging", bodies, 400, ["MalformedXML"]);
    const objectTags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "obj.txt" }));
    assertEquals(objectTags.TagSet, [{ Key: "keep", Value: "yes" }]);
    const bucketTags = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    assertEquals(bucketTags.TagSet, [{ Key: "team", Value: "a" }]);
  });

  await t.step("PutBucketVersioning: MalformedXML, the state stays", async () => {
    const bodies = [
      ...brokenDocuments("VersioningConfiguration"),
      "<VersioningConfiguration/>",
      "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
    ];
    await refuseAll("PUT", "?versioning", bodies, 400, ["MalformedXML"]);
    const never = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    assertEquals(never.Status, undefined, "still never versioned");
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }),
    );
    await refuseAll("PUT", "?versioning", bodies, 400, ["MalformedXML"]);
    const suspended = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    assertEquals(suspended.Status, "Suspended");
  });

  await t.step(
    "Put{Bucket,Object}Acl with a broken AccessControlPolicy: refused, the ACLs stay",
    async () => {
      // AWS answers MalformedACLError (400) for a document that is not a valid AccessControlPolicy (an empty
      // body is no document: without x-amz-acl it is MissingSecurityHeader).
      const owner = (await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Owner?.ID ?? "";
      const policy = (grants: string) =>
        `<AccessControlPolicy><Owner><ID>${owner}</ID></Owner><AccessControlList>${grants}` +
        "</AccessControlList></AccessControlPolicy>";
      const bodies = [
        ...brokenDocuments("AccessControlPolicy").filter((body) => body !== ""),
        "<AccessControlPolicy><AccessControlList><Grant><Grantee/></Grant></AccessControlList></AccessControlPolicy>",
        "<AccessControlPolicy><Owner/><AccessControlList/></AccessControlPolicy>",
        `<AccessControlPolicy><Owner><ID>${owner}</ID></Owner></AccessControlPolicy>`,
        policy("<Grant><Grantee/><Permission>READ</Permission></Grant>"),
        policy(`<Grant><Grantee><ID>${owner}</ID></Grantee><Permission>ALL</Permission></Grant>`),
        policy(`<Grant><Grantee><ID>${owner}</ID></Grantee></Grant>`),
        policy(
          `<Grant><Grantee><ID>${owner}</ID><URI>${ALL_USERS}</URI></Grantee><Permission>READ</Permission></Grant>`,
        ),
      ];
      await refuseAll("PUT", "?acl", bodies, 400, ["MalformedACLError"]);
      await refuseAll("PUT", "/obj.txt?acl", bodies, 400, ["MalformedACLError"]);
      const publicRead = (grants: { Grantee?: { URI?: string }; Permission?: string }[] | undefined) =>
        (grants ?? []).some((grant) => grant.Grantee?.URI === ALL_USERS && grant.Permission === "READ");
      assert(publicRead((await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants), "bucket ACL");
      assert(
        publicRead((await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "obj.txt" }))).Grants),
        "object ACL",
      );
      const anonymous = await fetch(`${cluster.endpoint}/${bucket}/obj.txt`);
      assertEquals([anonymous.status, await anonymous.text()], [200, "kept"]);
    },
  );

  await t.step("DeleteObjects: MalformedXML, nothing is deleted", async () => {
    await refuseAll(
      "POST",
      "?delete",
      [
        ...brokenDocuments("Delete"),
        "<Delete><Object><Key>obj.txt</Key></Object>",
        "<Delete/>",
        "<Delete><Object><VersionId>x</VersionId></Object></Delete>",
      ],
      400,
      ["MalformedXML"],
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "obj.txt" }));
    assertEquals(head.ContentLength, 4);
  });

  s3.destroy();
});
