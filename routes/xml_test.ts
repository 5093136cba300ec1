import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import { S3Error } from "./s3_errors.ts";
import { parseXml, renderXml, S3_XMLNS } from "./xml.ts";

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function expectMalformed(text: string, root = "CompleteMultipartUpload"): S3Error {
  const error = assertThrows(() => parseXml(text, root), `${JSON.stringify(text)} was accepted`);
  assert(error instanceof S3Error, `expected S3Error MalformedXML, got ${error}`);
  assertEquals(error.code, "MalformedXML", error.message);
  assertEquals(error.status, 400);
  return error;
}

Deno.test("renderXml() writes the declaration and the root element", () => {
  assertEquals(renderXml("Empty", {}), `${DECLARATION}<Empty></Empty>`);
});

Deno.test("renderXml() escapes markup characters in text", () => {
  assertEquals(
    renderXml("R", { Key: `a<b>&c"d'e` }),
    `${DECLARATION}<R><Key>a&lt;b&gt;&amp;c&quot;d&apos;e</Key></R>`,
  );
});

Deno.test("renderXml() does not let a key close its element or open a new one", () => {
  const xml = renderXml("R", { Key: "</Key><Injected>1</Injected><Key>" });
  assert(!xml.includes("<Injected>"), xml);
  assertEquals(parseXml(xml, "R"), { Key: "</Key><Injected>1</Injected><Key>" });
});

Deno.test("renderXml() escapes attribute values", () => {
  assertEquals(renderXml("R", { "@_xmlns": `x"<&` }), `${DECLARATION}<R xmlns="x&quot;&lt;&amp;"></R>`);
});

Deno.test("renderXml() writes the S3 namespace as an attribute of the root", () => {
  assertEquals(
    renderXml("ListAllMyBucketsResult", { "@_xmlns": S3_XMLNS, Owner: { ID: "o" } }),
    `${DECLARATION}<ListAllMyBucketsResult xmlns="${S3_XMLNS}"><Owner><ID>o</ID></Owner></ListAllMyBucketsResult>`,
  );
});

Deno.test("renderXml() keeps non-ASCII text as it is", () => {
  assertEquals(renderXml("R", { Key: "é/😀/日本" }), `${DECLARATION}<R><Key>é/😀/日本</Key></R>`);
});

Deno.test("renderXml() writes an array as repeated elements, in order", () => {
  assertEquals(
    renderXml("R", { Contents: [{ Key: "a" }, { Key: "b" }, { Key: "c" }] }),
    `${DECLARATION}<R><Contents><Key>a</Key></Contents><Contents><Key>b</Key></Contents><Contents><Key>c</Key></Contents></R>`,
  );
});

Deno.test("renderXml() writes an array of text as repeated text elements", () => {
  assertEquals(renderXml("R", { Tag: ["x", "y"] }), `${DECLARATION}<R><Tag>x</Tag><Tag>y</Tag></R>`);
});

Deno.test("renderXml() writes nothing for an empty array", () => {
  assertEquals(renderXml("R", { Contents: [], Name: "b" }), `${DECLARATION}<R><Name>b</Name></R>`);
});

Deno.test("renderXml() drops undefined values at every depth", () => {
  assertEquals(
    renderXml("R", {
      Gone: undefined,
      Kept: "k",
      Nested: { Gone: undefined, Kept: "n" },
      List: [{ Gone: undefined, Kept: "l" }],
    }),
    `${DECLARATION}<R><Kept>k</Kept><Nested><Kept>n</Kept></Nested><List><Kept>l</Kept></List></R>`,
  );
});

Deno.test("renderXml() writes numbers and booleans as text", () => {
  assertEquals(
    renderXml("R", { MaxKeys: 1000, KeyCount: 0, IsTruncated: false, Done: true }),
    `${DECLARATION}<R><MaxKeys>1000</MaxKeys><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated><Done>true</Done></R>`,
  );
});

Deno.test("parseXml() reads a CompleteMultipartUpload body with its parts as an array", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
    <CompleteMultipartUpload xmlns="${S3_XMLNS}">
      <Part><PartNumber>1</PartNumber><ETag>"a"</ETag></Part>
      <Part><PartNumber>2</PartNumber><ETag>"b"</ETag></Part>
    </CompleteMultipartUpload>`;
  assertEquals(parseXml(xml, "CompleteMultipartUpload"), {
    Part: [{ PartNumber: "1", ETag: '"a"' }, { PartNumber: "2", ETag: '"b"' }],
  });
});

Deno.test("parseXml() returns a single part as an array of one", () => {
  const xml = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>";
  assertEquals(parseXml(xml, "CompleteMultipartUpload"), { Part: [{ PartNumber: "1" }] });
});

Deno.test("parseXml() decodes quotes written as &#34; (Go clients) and as &quot;", () => {
  const xml = "<R><Part><ETag>&#34;abc&#34;</ETag></Part><Part><ETag>&quot;def&quot;</ETag></Part></R>";
  assertEquals(parseXml(xml, "R"), { Part: [{ ETag: '"abc"' }, { ETag: '"def"' }] });
});

Deno.test("parseXml() decodes the predefined and numeric entities", () => {
  assertEquals(parseXml("<R><K>&lt;&gt;&amp;&apos;&#x1F600;&#233;</K></R>", "R"), { K: "<>&'😀é" });
});

Deno.test("parseXml() keeps text values as strings and trims them", () => {
  assertEquals(parseXml("<R><N>  007  </N><B>true</B></R>", "R"), { N: "007", B: "true" });
});

Deno.test("parseXml() strips namespace prefixes", () => {
  const xml = `<s3:R xmlns:s3="${S3_XMLNS}"><s3:Part><s3:PartNumber>3</s3:PartNumber></s3:Part></s3:R>`;
  assertEquals(parseXml(xml, "R"), { Part: [{ PartNumber: "3" }] });
});

Deno.test("parseXml() returns an empty record for an empty root element", () => {
  assertEquals(parseXml("<CreateBucketConfiguration/>", "CreateBucketConfiguration"), {});
});

Deno.test("parseXml() rejects an empty body with MalformedXML", () => {
  expectMalformed("");
});

Deno.test("parseXml() rejects a body of whitespace with MalformedXML", () => {
  expectMalformed(" \n\t ");
});

Deno.test("parseXml() rejects plain text with MalformedXML", () => {
  expectMalformed("not xml at all");
});

Deno.test("parseXml() rejects JSON with MalformedXML", () => {
  expectMalformed('{"Part": []}');
});

Deno.test("parseXml() rejects an unclosed element with MalformedXML", () => {
  expectMalformed("<CompleteMultipartUpload><Part>");
});

Deno.test("parseXml() rejects mismatched tags with MalformedXML", () => {
  expectMalformed("<CompleteMultipartUpload><Part></Prt></CompleteMultipartUpload>");
});

Deno.test("parseXml() rejects a truncated document with MalformedXML", () => {
  expectMalformed("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipa");
});

Deno.test("parseXml() rejects a document with the wrong root with MalformedXML", () => {
  const error = expectMalformed("<Delete><Object><Key>k</Key></Object></Delete>");
  assert(error.message.includes("CompleteMultipartUpload"), error.message);
});

Deno.test("parseXml() rejects a root that differs only in case with MalformedXML", () => {
  expectMalformed("<completemultipartupload></completemultipartupload>");
});
