/**
 * Bucket CORS through real processes: Put/Get/DeleteBucketCors with @aws-sdk/client-s3, preflights answered
 * before authentication, and the headers a browser needs on actual cross-origin responses (a presigned PUT
 * from a web page, a public GET), `Vary: Origin` included.
 */
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { TestCluster } from "../support/cluster.ts";
import { assertEquals, assertRejectsS3 } from "../support/asserts.ts";

const APP = "https://app.example.com";

Deno.test("bucket CORS through real processes", async (t) => {
  await using cluster = await TestCluster.start();
  const s3 = cluster.client();
  await s3.send(new CreateBucketCommand({ Bucket: "web" }));
  await s3.send(
    new PutObjectCommand({ Bucket: "web", Key: "public.txt", Body: "hello", ACL: "public-read" }),
  );
  const preflight = async (headers: Record<string, string>, path = "/web/upload.bin") => {
    const response = await fetch(`${cluster.endpoint}${path}`, { method: "OPTIONS", headers });
    await response.body?.cancel();
    return response;
  };

  await t.step(
    "without a configuration: GetBucketCors is NoSuchCORSConfiguration, preflights 403",
    async () => {
      await assertRejectsS3(
        () => s3.send(new GetBucketCorsCommand({ Bucket: "web" })),
        "NoSuchCORSConfiguration",
        404,
      );
      const refused = await preflight({ origin: APP, "access-control-request-method": "PUT" });
      assertEquals(refused.status, 403);
      const plain = await fetch(`${cluster.endpoint}/web/public.txt`, { headers: { origin: APP } });
      assertEquals(plain.headers.get("access-control-allow-origin"), null);
      assertEquals(await plain.text(), "hello");
    },
  );

  await t.step("PutBucketCors validates, stores and GetBucketCors returns the rules", async () => {
    await assertRejectsS3(
      () =>
        s3.send(
          new PutBucketCorsCommand({
            Bucket: "web",
            CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }] },
          }),
        ),
      "InvalidRequest",
      400,
    );
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: "web",
        CORSConfiguration: {
          CORSRules: [
            {
              ID: "uploads",
              AllowedOrigins: [APP],
              AllowedMethods: ["PUT", "GET"],
              AllowedHeaders: ["content-type", "x-amz-*"],
              ExposeHeaders: ["ETag", "x-amz-request-id"],
              MaxAgeSeconds: 600,
            },
            { AllowedOrigins: ["*"], AllowedMethods: ["GET", "HEAD"] },
          ],
        },
      }),
    );
    const stored = await s3.send(new GetBucketCorsCommand({ Bucket: "web" }));
    assertEquals(stored.CORSRules?.map((rule) => [rule.ID, rule.AllowedOrigins, rule.AllowedMethods]), [
      ["uploads", [APP], ["PUT", "GET"]],
      [undefined, ["*"], ["GET", "HEAD"]],
    ]);
    assertEquals(stored.CORSRules?.[0].MaxAgeSeconds, 600);
  });

  await t.step("a preflight is answered from the rules, without credentials", async () => {
    const allowed = await preflight({
      origin: APP,
      "access-control-request-method": "PUT",
      "access-control-request-headers": "Content-Type, X-Amz-Date",
    });
    assertEquals(allowed.status, 200);
    assertEquals(allowed.headers.get("access-control-allow-origin"), APP);
    assertEquals(allowed.headers.get("access-control-allow-methods"), "PUT, GET");
    assertEquals(allowed.headers.get("access-control-allow-headers"), "content-type, x-amz-date");
    assertEquals(allowed.headers.get("access-control-max-age"), "600");
    assertEquals(allowed.headers.get("access-control-expose-headers"), "ETag, x-amz-request-id");
    assertEquals(allowed.headers.get("vary")?.includes("Origin"), true);
    const badHeader = await preflight({
      origin: APP,
      "access-control-request-method": "PUT",
      "access-control-request-headers": "authorization",
    });
    assertEquals(badHeader.status, 403);
    assertEquals(
      (await preflight({ origin: "https://other.test", "access-control-request-method": "PUT" })).status,
      403,
    );
    const anyOrigin = await preflight({
      origin: "https://other.test",
      "access-control-request-method": "GET",
    });
    assertEquals([anyOrigin.status, anyOrigin.headers.get("access-control-allow-origin")], [200, "*"]);
    assertEquals((await preflight({ "access-control-request-method": "PUT" })).status, 400);
    assertEquals(
      (await preflight({ origin: APP, "access-control-request-method": "PUT" }, "/nosuchbucket/k")).status,
      404,
    );
  });

  await t.step("a presigned PUT from the page's origin gets CORS headers and an exposed ETag", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "web", Key: "upload.bin" }), {
      expiresIn: 300,
    });
    const put = await fetch(url, { method: "PUT", headers: { origin: APP }, body: "from the browser" });
    await put.body?.cancel();
    assertEquals(put.status, 200);
    assertEquals(put.headers.get("access-control-allow-origin"), APP);
    assertEquals(put.headers.get("access-control-expose-headers"), "ETag, x-amz-request-id");
    assertEquals(put.headers.get("vary"), "Origin");
    assertEquals(typeof put.headers.get("etag"), "string");
    // An error is readable by the page too (here: the URL's signature no longer matches).
    const tampered = await fetch(url.replace("upload.bin", "other.bin"), {
      method: "PUT",
      headers: { origin: APP },
      body: "x",
    });
    await tampered.body?.cancel();
    assertEquals([tampered.status, tampered.headers.get("access-control-allow-origin")], [403, APP]);
  });

  await t.step("GET responses of a bucket with rules vary by Origin, with or without one", async () => {
    const cross = await fetch(`${cluster.endpoint}/web/public.txt`, {
      headers: { origin: "https://other.test" },
    });
    assertEquals(await cross.text(), "hello");
    assertEquals(cross.headers.get("access-control-allow-origin"), "*");
    assertEquals(cross.headers.get("vary"), "Origin");
    const direct = await fetch(`${cluster.endpoint}/web/public.txt`);
    await direct.body?.cancel();
    assertEquals([direct.headers.get("vary"), direct.headers.get("access-control-allow-origin")], [
      "Origin",
      null,
    ]);
  });

  await t.step("DeleteBucketCors removes the rules (204)", async () => {
    const deleted = await s3.send(new DeleteBucketCorsCommand({ Bucket: "web" }));
    assertEquals(deleted.$metadata.httpStatusCode, 204);
    await assertRejectsS3(
      () => s3.send(new GetBucketCorsCommand({ Bucket: "web" })),
      "NoSuchCORSConfiguration",
      404,
    );
    assertEquals((await preflight({ origin: APP, "access-control-request-method": "PUT" })).status, 403);
    const anonymous = await fetch(`${cluster.endpoint}/web?cors`);
    await anonymous.body?.cancel();
    assertEquals(anonymous.status, 403);
  });
  s3.destroy();
});
