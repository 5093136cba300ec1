/**
 * The gateway over HTTPS: a cluster whose gateway is given a certificate (the self-signed pair that
 * `deno task dev --tls` makes), the AWS SDK trusting that certificate, a presigned upload over HTTPS,
 * `aws:SecureTransport` true in bucket policies, and plain HTTP refused on the TLS port.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Agent } from "node:https";
import { selfSignedPair } from "../../deploy/self_signed.ts";
import { TEST_CREDENTIALS, TestCluster } from "../support/cluster.ts";
import { assert, assertEquals } from "../support/asserts.ts";

Deno.test("the gateway serves S3 over HTTPS with a given certificate", async (t) => {
  const tlsDir = await Deno.makeTempDir({ prefix: "objstore-tls-" });
  try {
    const { certFile, keyFile } = await selfSignedPair(tlsDir, "127.0.0.1");
    const cert = await Deno.readTextFile(certFile);
    await using cluster = await TestCluster.start({
      gatewayEnv: { OBJSTORE_TLS_CERT_FILE: certFile, OBJSTORE_TLS_KEY_FILE: keyFile },
    });
    assert(cluster.endpoint.startsWith("https://"), cluster.endpoint);
    const agent = new Agent({ ca: cert, keepAlive: true });
    const s3 = new S3Client({
      endpoint: cluster.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: { httpsAgent: agent },
    });
    const client = Deno.createHttpClient({ caCerts: [cert] });
    try {
      await t.step("the SDK trusting the certificate creates, writes and reads", async () => {
        await s3.send(new CreateBucketCommand({ Bucket: "secure" }));
        await s3.send(new PutObjectCommand({ Bucket: "secure", Key: "a.txt", Body: "over tls" }));
        const got = await s3.send(new GetObjectCommand({ Bucket: "secure", Key: "a.txt" }));
        assertEquals(await got.Body?.transformToString(), "over tls");
      });

      await t.step("a presigned PUT over HTTPS stores the body", async () => {
        const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "secure", Key: "up.bin" }), {
          expiresIn: 300,
        });
        assert(url.startsWith("https://"), url);
        const put = await fetch(url, { method: "PUT", body: "presigned over tls", client });
        await put.body?.cancel();
        assertEquals(put.status, 200);
        const got = await s3.send(new GetObjectCommand({ Bucket: "secure", Key: "up.bin" }));
        assertEquals(await got.Body?.transformToString(), "presigned over tls");
      });

      await t.step("bucket policies see aws:SecureTransport true", async () => {
        // Deny everything not over TLS, allow anonymous reads over TLS: over HTTPS the read is allowed.
        await s3.send(
          new PutBucketPolicyCommand({
            Bucket: "secure",
            Policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: ["arn:aws:s3:::secure", "arn:aws:s3:::secure/*"],
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                {
                  Effect: "Allow",
                  Principal: "*",
                  Action: "s3:GetObject",
                  Resource: "arn:aws:s3:::secure/*",
                  Condition: { Bool: { "aws:SecureTransport": "true" } },
                },
              ],
            }),
          }),
        );
        const anonymous = await fetch(`${cluster.endpoint}/secure/a.txt`, { client });
        assertEquals([anonymous.status, await anonymous.text()], [200, "over tls"]);
      });

      await t.step("plain HTTP on the TLS port gets no S3 answer", async () => {
        const plain = await fetch(cluster.endpoint.replace("https://", "http://") + "/secure/a.txt").then(
          async (response) => {
            await response.body?.cancel();
            return response.status;
          },
          () => "refused",
        );
        assert(plain !== 200, `plain HTTP must not be served, got ${plain}`);
      });
    } finally {
      client.close();
      s3.destroy();
      agent.destroy();
    }
  } finally {
    await Deno.remove(tlsDir, { recursive: true });
  }
});
