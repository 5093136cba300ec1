import { assertEquals } from "../tests/support/asserts.ts";
import { thrownS3Code } from "./s3_error_test_support.ts";
import { MAX_OBJECT_TAGS, renderTagging, tagsFromDocument, tagsFromHeader, validTags } from "./tagging.ts";
import { parseXml } from "./xml.ts";

Deno.test("tagsFromHeader: URL-encoded pairs in order; none when absent", () => {
  const tags = tagsFromHeader(new Headers({ "x-amz-tagging": "a=1&b=two%20words&c=" }));
  assertEquals(tags, [{ key: "a", value: "1" }, { key: "b", value: "two words" }, { key: "c", value: "" }]);
  assertEquals(tagsFromHeader(new Headers()), []);
  assertEquals(thrownS3Code(() => tagsFromHeader(new Headers({ "x-amz-tagging": "a=1&a=2" }))), "InvalidTag");
});

Deno.test("validTags: S3's limits", () => {
  const tag = (key: string, value = "v") => ({ key, value });
  assertEquals(validTags([tag("k"), tag("Ünïcode key_:/=+-.@ 1")], MAX_OBJECT_TAGS).length, 2);
  const bad: Array<[Array<{ key: string; value: string }>, string]> = [
    [Array.from({ length: 11 }, (_, i) => tag(`k${i}`)), "BadRequest"],
    [[tag("")], "InvalidTag"],
    [[tag("k".repeat(129))], "InvalidTag"],
    [[tag("k", "v".repeat(257))], "InvalidTag"],
    [[tag("AWS:x")], "InvalidTag"],
    [[tag("a;b")], "InvalidTag"],
    [[tag("a"), tag("a")], "InvalidTag"],
  ];
  for (const [tags, code] of bad) assertEquals(thrownS3Code(() => validTags(tags, MAX_OBJECT_TAGS)), code);
  assertEquals(validTags([tag("k".repeat(128), "v".repeat(256))], MAX_OBJECT_TAGS).length, 1);
});

Deno.test("renderTagging and tagsFromDocument round-trip, including an empty set", () => {
  for (
    const tags of [[], [{ key: "a", value: "1" }], [{ key: "x", value: "" }, {
      key: "y",
      value: "two words",
    }]]
  ) {
    const root = parseXml(renderTagging(tags), "Tagging");
    assertEquals(tagsFromDocument(root, MAX_OBJECT_TAGS), tags);
  }
  assertEquals(thrownS3Code(() => tagsFromDocument({}, MAX_OBJECT_TAGS)), "MalformedXML");
});

Deno.test("tagsFromDocument: a <Tag> needs a <Key> and a <Value>, which may be empty", () => {
  const parse = (tags: string) =>
    tagsFromDocument(parseXml(`<Tagging><TagSet>${tags}</TagSet></Tagging>`, "Tagging"), MAX_OBJECT_TAGS);
  assertEquals(parse("<Tag><Key>k</Key><Value></Value></Tag><Tag><Key>j</Key><Value/></Tag>"), [
    { key: "k", value: "" },
    { key: "j", value: "" },
  ]);
  for (
    const tags of [
      "<Tag><Key>k</Key></Tag>",
      "<Tag><Value>v</Value></Tag>",
      "<Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>k</Key></Tag>",
      "<Tag><Key>k</Key><Value><Nested/></Value></Tag>",
      "<Tag/>",
    ]
  ) {
    assertEquals(thrownS3Code(() => parse(tags)), "MalformedXML", tags);
  }
});
