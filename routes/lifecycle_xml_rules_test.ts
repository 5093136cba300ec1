import {
  assertRefused,
  EXPIRE_30,
  lifecycle,
  noncurrent,
  type RefusedCase,
  rule,
  tag,
  transition,
} from "./lifecycle_test_support.ts";

/** Well-formed documents that break a lifecycle rule: InvalidArgument or InvalidRequest, naming it. */
const REFUSED_CASES: readonly RefusedCase[] = [
  {
    name: "a rule without action",
    xml: lifecycle(rule("<Filter><Prefix>a</Prefix></Filter>")),
    code: "InvalidRequest",
    fragment: "At least one action",
  },
  {
    name: "an ID of 256 characters",
    xml: lifecycle(rule(EXPIRE_30, "x".repeat(256))),
    code: "InvalidArgument",
    fragment: "1 to 255 characters",
  },
  {
    name: "duplicate IDs",
    xml: lifecycle(rule(EXPIRE_30, "same"), rule(EXPIRE_30, "same")),
    code: "InvalidArgument",
    fragment: 'same ID for more than one rule: "same"',
  },
  {
    name: "Expiration Days of 0",
    xml: lifecycle(rule("<Expiration><Days>0</Days></Expiration>")),
    code: "InvalidArgument",
    fragment: "'Days' in the Expiration action must be an integer from 1",
  },
  {
    name: "Expiration Days beyond 32 bits",
    xml: lifecycle(rule("<Expiration><Days>2147483648</Days></Expiration>")),
    code: "InvalidArgument",
    fragment: "to 2147483647",
  },
  {
    name: "a date that is not midnight UTC",
    xml: lifecycle(rule("<Expiration><Date>2027-01-01T12:00:00Z</Date></Expiration>")),
    code: "InvalidArgument",
    fragment: "midnight UTC",
  },
  {
    name: "ExpiredObjectDeleteMarker with a tag filter",
    xml: lifecycle(
      rule(
        `<Filter>${
          tag("k")
        }</Filter><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`,
      ),
    ),
    code: "InvalidRequest",
    fragment: "ExpiredObjectDeleteMarker cannot be specified with a Tag filter",
  },
  {
    name: "AbortIncompleteMultipartUpload with a tag filter",
    xml: lifecycle(
      rule(
        `<Filter>${
          tag("k")
        }</Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>`,
      ),
    ),
    code: "InvalidRequest",
    fragment: "AbortIncompleteMultipartUpload cannot be specified with a Tag filter",
  },
  {
    name: "DaysAfterInitiation of 0",
    xml: lifecycle(
      rule(
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "'DaysAfterInitiation'",
  },
  {
    name: "a STANDARD_IA transition before 30 days",
    xml: lifecycle(rule(transition(29, "STANDARD_IA"))),
    code: "InvalidArgument",
    fragment: "StorageClass 'STANDARD_IA' must be an integer from 30",
  },
  {
    name: "a ONEZONE_IA noncurrent transition before 30 days",
    xml: lifecycle(rule(noncurrent(10, "ONEZONE_IA"))),
    code: "InvalidArgument",
    fragment:
      "'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass 'ONEZONE_IA' must be an integer from 30",
  },
  {
    name: "a negative GLACIER transition",
    xml: lifecycle(rule(transition(-1, "GLACIER"))),
    code: "InvalidArgument",
    fragment: "from 0",
  },
  {
    name: "two transitions to one class",
    xml: lifecycle(rule(transition(30, "GLACIER") + transition(60, "GLACIER"))),
    code: "InvalidArgument",
    fragment: "'GLACIER' appears twice",
  },
  {
    name: "transitions against S3's order",
    xml: lifecycle(rule(transition(30, "GLACIER") + transition(60, "STANDARD_IA"))),
    code: "InvalidArgument",
    fragment: "for StorageClass 'GLACIER' must be later than for StorageClass 'STANDARD_IA'",
  },
  {
    name: "two transitions on one day",
    xml: lifecycle(rule(transition(30, "STANDARD_IA") + transition(30, "GLACIER"))),
    code: "InvalidArgument",
    fragment: "must be later",
  },
  {
    name: "transition Days mixed with Date",
    xml: lifecycle(rule(transition(30, "STANDARD_IA") + transition("2027-01-01", "GLACIER", "Date"))),
    code: "InvalidRequest",
    fragment: "mixed 'Date' and 'Days' based Transition actions",
  },
  {
    name: "expiration Date with transition Days",
    xml: lifecycle(rule(transition(30, "GLACIER") + "<Expiration><Date>2027-01-01</Date></Expiration>")),
    code: "InvalidRequest",
    fragment: "mixed 'Date' and 'Days' based Expiration and Transition",
  },
  {
    name: "an expiration not after the transitions",
    xml: lifecycle(
      rule(
        transition(30, "STANDARD_IA") + transition(60, "GLACIER") +
          "<Expiration><Days>60</Days></Expiration>",
      ),
    ),
    code: "InvalidArgument",
    fragment:
      "Expiration action must be later than 'Days' in the Transition action for StorageClass 'GLACIER'",
  },
  {
    name: "an expiration date before a transition date",
    xml: lifecycle(
      rule(transition("2028-01-01", "GLACIER", "Date") + "<Expiration><Date>2027-01-01</Date></Expiration>"),
    ),
    code: "InvalidArgument",
    fragment: "'Date' in the Expiration action must be later",
  },
  {
    name: "noncurrent expiration not after noncurrent transitions",
    xml: lifecycle(
      rule(
        noncurrent(40, "GLACIER") +
          "<NoncurrentVersionExpiration><NoncurrentDays>40</NoncurrentDays></NoncurrentVersionExpiration>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "must be greater than 'NoncurrentDays'",
  },
  {
    name: "NoncurrentDays of 0 for an expiration",
    xml: lifecycle(
      rule("<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>"),
    ),
    code: "InvalidArgument",
    fragment: "NoncurrentVersionExpiration action must be an integer from 1",
  },
  {
    name: "101 newer noncurrent versions",
    xml: lifecycle(
      rule(
        "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "from 1 to 100, got 101",
  },
  {
    name: "0 newer noncurrent versions",
    xml: lifecycle(
      rule(
        "<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "'NewerNoncurrentVersions'",
  },
  {
    name: "a negative size",
    xml: lifecycle(rule(`<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter>${EXPIRE_30}`)),
    code: "InvalidArgument",
    fragment: "ObjectSizeGreaterThan must be an integer of 0 or more",
  },
  {
    name: "a size range that is empty",
    xml: lifecycle(
      rule(
        `<Filter><And><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>${EXPIRE_30}`,
      ),
    ),
    code: "InvalidArgument",
    fragment: "(100) must be less than ObjectSizeLessThan (100)",
  },
  {
    name: "ObjectSizeLessThan of 0",
    xml: lifecycle(rule(`<Filter><ObjectSizeLessThan>0</ObjectSizeLessThan></Filter>${EXPIRE_30}`)),
    code: "InvalidArgument",
    fragment: "ObjectSizeLessThan must be a positive integer",
  },
  {
    name: "duplicate tag keys",
    xml: lifecycle(rule(`<Filter><And>${tag("k", "1")}${tag("k", "2")}</And></Filter>${EXPIRE_30}`)),
    code: "InvalidRequest",
    fragment: 'Duplicate Tag Keys are not allowed: "k"',
  },
  {
    name: "an empty tag key",
    xml: lifecycle(rule(`<Filter>${tag("")}</Filter>${EXPIRE_30}`)),
    code: "InvalidArgument",
    fragment: "tag key must be 1 to 128",
  },
  {
    name: "eleven tags",
    xml: lifecycle(
      rule(
        `<Filter><And>${
          Array.from({ length: 11 }, (_, i) => tag(`k${i}`)).join("")
        }</And></Filter>${EXPIRE_30}`,
      ),
    ),
    code: "InvalidArgument",
    fragment: "at most 10 tags",
  },
  {
    name: "a prefix longer than a key",
    xml: lifecycle(rule(`<Filter><Prefix>${"p".repeat(1025)}</Prefix></Filter>${EXPIRE_30}`)),
    code: "InvalidArgument",
    fragment: "at most 1024 bytes",
  },
  {
    name: "a NotAccessedTransition of 0 days",
    xml: lifecycle(
      rule(
        "<NotAccessedTransition><Days>0</Days><StorageClass>GLACIER_IR</StorageClass></NotAccessedTransition>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "NotAccessedTransition to StorageClass 'GLACIER_IR' must be an integer from 1",
  },
  {
    name: "a NotAccessedTransition to STANDARD_IA before 30 days",
    xml: lifecycle(
      rule(
        "<NotAccessedTransition><Days>7</Days><StorageClass>STANDARD_IA</StorageClass></NotAccessedTransition>",
      ),
    ),
    code: "InvalidArgument",
    fragment: "from 30",
  },
];

for (const refused of REFUSED_CASES) {
  Deno.test(
    `parseLifecycleConfiguration() refuses ${refused.name} with ${refused.code}`,
    () => assertRefused(refused),
  );
}
