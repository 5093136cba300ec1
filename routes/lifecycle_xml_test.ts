import { assert, assertEquals } from "../tests/support/asserts.ts";
import { assertThrows } from "../tests/support/throws_test_support.ts";
import type { LifecycleDocument } from "../tiers/lifecycle/mod.ts";
import {
  assertRefused,
  EXPIRE_30,
  lifecycle,
  parseWithIds,
  type RefusedCase,
  rule,
  tag,
  transition,
} from "./lifecycle_test_support.ts";
import { parseLifecycleConfiguration, renderLifecycleConfiguration } from "./lifecycle_xml.ts";
import { S3Error } from "./s3_errors.ts";

interface ValidCase {
  readonly name: string;
  readonly xml: string;
  readonly expected: LifecycleDocument;
}

const VALID_CASES: readonly ValidCase[] = [
  {
    name: "a prefix filter with an expiration in days",
    xml: lifecycle(rule(`<Filter><Prefix>logs/</Prefix></Filter>${EXPIRE_30}`)),
    expected: {
      rules: [{
        id: "r1",
        status: "Enabled",
        filter: { prefix: "logs/" },
        expiration: { days: 30 },
        transitions: [],
        noncurrentVersionTransitions: [],
      }],
    },
  },
  {
    name: "the legacy top-level Prefix, no ID (one is generated), Disabled",
    xml: lifecycle(
      "<Rule><Prefix>tmp/</Prefix><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
    ),
    expected: {
      rules: [{
        id: "generated-1",
        status: "Disabled",
        filter: { prefix: "tmp/" },
        legacyPrefix: true,
        expiration: { days: 1 },
        transitions: [],
        noncurrentVersionTransitions: [],
      }],
    },
  },
  {
    name: "an empty Filter, transitions given out of order (stored by day), expiration after them",
    xml: lifecycle(rule(
      "<Filter></Filter>" +
        "<Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>" +
        "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>" +
        "<Transition><Days>60</Days><StorageClass>INTELLIGENT_TIERING</StorageClass></Transition>" +
        "<Expiration><Days>365</Days></Expiration>",
    )),
    expected: {
      rules: [{
        id: "r1",
        status: "Enabled",
        filter: {},
        expiration: { days: 365 },
        transitions: [
          { days: 30, storageClass: "STANDARD_IA" },
          { days: 60, storageClass: "INTELLIGENT_TIERING" },
          { days: 90, storageClass: "GLACIER" },
        ],
        noncurrentVersionTransitions: [],
      }],
    },
  },
  {
    name: "And of prefix, two tags and a size range; dates normalised to midnight UTC",
    xml: lifecycle(rule(
      "<Filter><And><Prefix>a/</Prefix><Tag><Key>team</Key><Value>x</Value></Tag>" +
        "<Tag><Key>keep</Key></Tag><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan>" +
        "<ObjectSizeLessThan>1048576</ObjectSizeLessThan></And></Filter>" +
        "<Transition><Date>2027-01-01</Date><StorageClass>GLACIER_IR</StorageClass></Transition>" +
        "<Expiration><Date>2028-02-29T00:00:00Z</Date></Expiration>",
    )),
    expected: {
      rules: [{
        id: "r1",
        status: "Enabled",
        filter: {
          prefix: "a/",
          tags: [{ key: "team", value: "x" }, { key: "keep", value: "" }],
          objectSizeGreaterThan: 0,
          objectSizeLessThan: 1048576,
        },
        expiration: { date: "2028-02-29T00:00:00.000Z" },
        transitions: [{ date: "2027-01-01T00:00:00.000Z", storageClass: "GLACIER_IR" }],
        noncurrentVersionTransitions: [],
      }],
    },
  },
  {
    name: "noncurrent actions, abort of uploads, ExpiredObjectDeleteMarker and our NotAccessedTransition",
    xml: lifecycle(rule(
      "<Filter><Prefix></Prefix></Filter>" +
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>" +
        "<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>ONEZONE_IA</StorageClass>" +
        "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionTransition>" +
        "<NoncurrentVersionExpiration><NoncurrentDays>60</NoncurrentDays>" +
        "<NewerNoncurrentVersions>100</NewerNoncurrentVersions></NoncurrentVersionExpiration>" +
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>" +
        "<NotAccessedTransition><Days>14</Days><StorageClass>GLACIER_IR</StorageClass></NotAccessedTransition>",
    )),
    expected: {
      rules: [{
        id: "r1",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { expiredObjectDeleteMarker: true },
        transitions: [],
        noncurrentVersionTransitions: [
          { noncurrentDays: 30, newerNoncurrentVersions: 2, storageClass: "ONEZONE_IA" },
        ],
        noncurrentVersionExpiration: { noncurrentDays: 60, newerNoncurrentVersions: 100 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        notAccessedTransition: { days: 14, storageClass: "GLACIER_IR" },
      }],
    },
  },
  {
    name: "a rule without Filter or Prefix applies to every object; an empty ID is generated",
    xml: lifecycle("<Rule><ID></ID><Status>Enabled</Status>" + EXPIRE_30 + "</Rule>"),
    expected: {
      rules: [{
        id: "generated-1",
        status: "Enabled",
        filter: {},
        expiration: { days: 30 },
        transitions: [],
        noncurrentVersionTransitions: [],
      }],
    },
  },
];

for (const { name, xml, expected } of VALID_CASES) {
  Deno.test(`parseLifecycleConfiguration() accepts ${name}`, () => {
    assertEquals(parseWithIds(xml), expected);
  });
}

/** Documents that do not have the shape of S3's schema. */
const MALFORMED_CASES: readonly RefusedCase[] = [
  {
    name: "not XML",
    xml: "<LifecycleConfiguration><Rule>",
    code: "MalformedXML",
    fragment: "not well-formed",
  },
  {
    name: "another root",
    xml: "<CORSConfiguration/>",
    code: "MalformedXML",
    fragment: "LifecycleConfiguration",
  },
  { name: "no rule", xml: lifecycle(), code: "MalformedXML", fragment: "at least one <Rule>" },
  {
    name: "a rule without Status",
    xml: lifecycle("<Rule><ID>a</ID>" + EXPIRE_30 + "</Rule>"),
    code: "MalformedXML",
    fragment: "needs a <Status>",
  },
  {
    name: "a Status of on",
    xml: lifecycle(rule("<Status>on</Status>" + EXPIRE_30)),
    code: "MalformedXML",
    fragment: "Enabled or Disabled",
  },
  {
    name: "an unknown element",
    xml: lifecycle(rule(EXPIRE_30 + "<Flavour>x</Flavour>")),
    code: "MalformedXML",
    fragment: "<Flavour>",
  },
  {
    name: "text inside a rule",
    xml: lifecycle(rule(EXPIRE_30 + "stray")),
    code: "MalformedXML",
    fragment: "must not hold text",
  },
  {
    name: "two Expiration elements",
    xml: lifecycle(rule(EXPIRE_30 + EXPIRE_30)),
    code: "MalformedXML",
    fragment: "Only one",
  },
  {
    name: "Filter and Prefix together",
    xml: lifecycle(rule("<Prefix>a</Prefix><Filter></Filter>" + EXPIRE_30)),
    code: "MalformedXML",
    fragment: "not both",
  },
  {
    name: "two conditions without And",
    xml: lifecycle(rule(`<Filter><Prefix>a</Prefix>${tag("k")}</Filter>${EXPIRE_30}`)),
    code: "MalformedXML",
    fragment: "inside <And>",
  },
  {
    name: "two tags without And",
    xml: lifecycle(rule(`<Filter>${tag("k")}${tag("j")}</Filter>${EXPIRE_30}`)),
    code: "MalformedXML",
    fragment: "inside <And>",
  },
  {
    name: "an And with one condition",
    xml: lifecycle(rule(`<Filter><And><Prefix>a</Prefix></And></Filter>${EXPIRE_30}`)),
    code: "MalformedXML",
    fragment: "at least two conditions",
  },
  {
    name: "a tag without Key",
    xml: lifecycle(rule(`<Filter><Tag><Value>v</Value></Tag></Filter>${EXPIRE_30}`)),
    code: "MalformedXML",
    fragment: "needs a <Key>",
  },
  {
    name: "Days that are not a number",
    xml: lifecycle(rule("<Expiration><Days>ten</Days></Expiration>")),
    code: "MalformedXML",
    fragment: "must be an integer",
  },
  {
    name: "Expiration with Days and Date",
    xml: lifecycle(rule("<Expiration><Days>1</Days><Date>2027-01-01</Date></Expiration>")),
    code: "MalformedXML",
    fragment: "exactly one of Days, Date",
  },
  {
    name: "ExpiredObjectDeleteMarker with Days",
    xml: lifecycle(
      rule(
        "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
      ),
    ),
    code: "MalformedXML",
    fragment: "exactly one of Days, Date",
  },
  {
    name: "an empty Expiration",
    xml: lifecycle(rule("<Expiration></Expiration>")),
    code: "MalformedXML",
    fragment: "got 0",
  },
  {
    name: "ExpiredObjectDeleteMarker of yes",
    xml: lifecycle(
      rule("<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>"),
    ),
    code: "MalformedXML",
    fragment: "true or false",
  },
  {
    name: "an impossible date",
    xml: lifecycle(rule("<Expiration><Date>2027-02-30</Date></Expiration>")),
    code: "MalformedXML",
    fragment: "ISO 8601",
  },
  {
    name: "a Transition with Days and Date",
    xml: lifecycle(
      rule(
        "<Transition><Days>1</Days><Date>2027-01-01</Date><StorageClass>GLACIER</StorageClass></Transition>",
      ),
    ),
    code: "MalformedXML",
    fragment: "exactly one of Days and Date",
  },
  {
    name: "a Transition without StorageClass",
    xml: lifecycle(rule("<Transition><Days>1</Days></Transition>")),
    code: "MalformedXML",
    fragment: "needs a <StorageClass>",
  },
  {
    name: "a Transition to STANDARD",
    xml: lifecycle(rule(transition(40, "STANDARD"))),
    code: "MalformedXML",
    fragment: "must be one of",
  },
  {
    name: "a NoncurrentVersionExpiration without NoncurrentDays",
    xml: lifecycle(
      rule(
        "<NoncurrentVersionExpiration><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
      ),
    ),
    code: "MalformedXML",
    fragment: "needs a <NoncurrentDays>",
  },
  {
    name: "a NotAccessedTransition without Days",
    xml: lifecycle(
      rule("<NotAccessedTransition><StorageClass>GLACIER</StorageClass></NotAccessedTransition>"),
    ),
    code: "MalformedXML",
    fragment: "needs a <Days>",
  },
];

for (const refused of MALFORMED_CASES) {
  Deno.test(`parseLifecycleConfiguration() refuses ${refused.name} with MalformedXML`, () =>
    assertRefused(refused));
}

/** `count` rules of realistic size, each with its own prefix, transitions and expiration. */
function manyRules(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    rule(
      `<Filter><Prefix>tenant-${i}/logs/</Prefix></Filter>` + transition(30, "STANDARD_IA") +
        transition(90, "GLACIER") + "<Expiration><Days>365</Days></Expiration>",
      `rule-${String(i).padStart(4, "0")}`,
    ));
}

Deno.test("parseLifecycleConfiguration() accepts 1000 rules, in document order", () => {
  const parsed = parseWithIds(lifecycle(...manyRules(1000)));
  assertEquals(parsed.rules.length, 1000);
  assertEquals(parsed.rules[0].id, "rule-0000");
  assertEquals(parsed.rules[999].filter, { prefix: "tenant-999/logs/" });
});

Deno.test("parseLifecycleConfiguration() refuses 1001 rules with InvalidRequest", () => {
  const error = assertThrows(() => parseWithIds(lifecycle(...manyRules(1001))));
  assert(error instanceof S3Error);
  assertEquals(error.code, "InvalidRequest");
  assert(error.message.includes("at most 1000 rules, got 1001"), error.message);
});

Deno.test("parseLifecycleConfiguration() generates IDs that never collide with given ones", () => {
  let calls = 0;
  const parsed = parseLifecycleConfiguration(
    lifecycle(rule(EXPIRE_30, "taken"), "<Rule><Status>Enabled</Status>" + EXPIRE_30 + "</Rule>"),
    { newRuleId: () => ++calls === 1 ? "taken" : "fresh" },
  );
  assertEquals(parsed.rules.map((r) => r.id), ["taken", "fresh"]);
});

Deno.test("parseLifecycleConfiguration() makes random 48-character IDs by default", () => {
  const parsed = parseLifecycleConfiguration(
    lifecycle(
      "<Rule><Status>Enabled</Status>" + EXPIRE_30 + "</Rule>",
      "<Rule><Status>Enabled</Status>" + EXPIRE_30 + "</Rule>",
    ),
  );
  assertEquals(parsed.rules.map((r) => r.id.length), [48, 48]);
  assert(parsed.rules[0].id !== parsed.rules[1].id, "two generated IDs are equal");
});

Deno.test("renderLifecycleConfiguration() output parses back to the same configuration", () => {
  const xml = lifecycle(
    ...VALID_CASES.flatMap((c, i) =>
      c.xml.match(/<Rule>.*?<\/Rule>/gs)!.map((r) => r.replace(/<ID>[^<]*<\/ID>/, `<ID>case-${i}</ID>`))
    ),
    ...manyRules(3),
  );
  const parsed = parseWithIds(xml);
  const rendered = renderLifecycleConfiguration(parsed);
  assertEquals(parseWithIds(rendered), parsed);
});

Deno.test("renderLifecycleConfiguration() answers each filter in the form S3 uses", () => {
  const rendered = renderLifecycleConfiguration(parseWithIds(lifecycle(
    rule(`<Filter></Filter>${EXPIRE_30}`, "all"),
    rule(`<Filter>${tag("k", "a&amp;b")}</Filter>${EXPIRE_30}`, "one"),
    rule(`<Filter><And><Prefix>p/</Prefix>${tag("k")}</And></Filter>${EXPIRE_30}`, "and"),
    `<Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Enabled</Status>${EXPIRE_30}</Rule>`,
  )));
  assert(
    rendered.includes('<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'),
    rendered,
  );
  assert(rendered.includes("<ID>all</ID><Filter></Filter><Status>Enabled</Status>"), rendered);
  assert(rendered.includes("<Filter><Tag><Key>k</Key><Value>a&amp;b</Value></Tag></Filter>"), rendered);
  assert(
    rendered.includes(
      "<Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>",
    ),
    rendered,
  );
  assert(rendered.includes("<ID>legacy</ID><Prefix>old/</Prefix><Status>Enabled</Status>"), rendered);
});
