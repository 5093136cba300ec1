import { assert, assertEquals } from "../../tests/support/asserts.ts";
import { compileCondition, type ConditionOperator } from "./condition_operators.ts";
import { ipRangeContains, parseIpAddress, parseIpRange } from "./ip_range.ts";

interface ConditionCase {
  readonly operator: ConditionOperator;
  readonly values: readonly string[];
  readonly actual: string | undefined;
  readonly expected: boolean;
}

const CONDITION_CASES: readonly ConditionCase[] = [
  { operator: "StringEquals", values: ["a", "b"], actual: "b", expected: true },
  { operator: "StringEquals", values: ["a"], actual: "A", expected: false },
  { operator: "StringEquals", values: ["a"], actual: undefined, expected: false },
  { operator: "StringNotEquals", values: ["a", "b"], actual: "c", expected: true },
  { operator: "StringNotEquals", values: ["a", "b"], actual: "a", expected: false },
  { operator: "StringNotEquals", values: ["a"], actual: undefined, expected: true },
  {
    operator: "StringLike",
    values: ["https://cdn.example/*"],
    actual: "https://cdn.example/x/y",
    expected: true,
  },
  { operator: "StringLike", values: ["img-??.png"], actual: "img-01.png", expected: true },
  { operator: "StringLike", values: ["img-??.png"], actual: "img-1.png", expected: false },
  { operator: "StringLike", values: ["a.c"], actual: "abc", expected: false },
  { operator: "StringLike", values: ["*"], actual: undefined, expected: false },
  { operator: "StringNotLike", values: ["curl/*"], actual: "curl/8.5", expected: false },
  { operator: "StringNotLike", values: ["curl/*"], actual: "Mozilla/5.0", expected: true },
  { operator: "StringNotLike", values: ["curl/*"], actual: undefined, expected: true },
  { operator: "IpAddress", values: ["127.0.0.0/8"], actual: "127.0.0.1", expected: true },
  { operator: "IpAddress", values: ["10.0.0.0/8"], actual: "127.0.0.1", expected: false },
  { operator: "IpAddress", values: ["10.0.0.0/8", "192.168.1.7"], actual: "192.168.1.7", expected: true },
  { operator: "IpAddress", values: ["192.168.1.7"], actual: "192.168.1.8", expected: false },
  { operator: "IpAddress", values: ["203.0.113.0/25"], actual: "203.0.113.127", expected: true },
  { operator: "IpAddress", values: ["203.0.113.0/25"], actual: "203.0.113.128", expected: false },
  { operator: "IpAddress", values: ["0.0.0.0/0"], actual: "8.8.8.8", expected: true },
  { operator: "IpAddress", values: ["2001:db8::/32"], actual: "2001:db8:1::5", expected: true },
  { operator: "IpAddress", values: ["2001:db8::/32"], actual: "2001:db9::5", expected: false },
  { operator: "IpAddress", values: ["127.0.0.0/8"], actual: "::ffff:127.0.0.1", expected: true },
  { operator: "IpAddress", values: ["::1"], actual: "::1", expected: true },
  { operator: "IpAddress", values: ["::/0"], actual: "127.0.0.1", expected: false },
  { operator: "IpAddress", values: ["127.0.0.0/8"], actual: "not-an-ip", expected: false },
  { operator: "IpAddress", values: ["127.0.0.0/8"], actual: undefined, expected: false },
  { operator: "NotIpAddress", values: ["10.0.0.0/8"], actual: "127.0.0.1", expected: true },
  { operator: "NotIpAddress", values: ["127.0.0.0/8"], actual: "127.0.0.1", expected: false },
  { operator: "NotIpAddress", values: ["127.0.0.0/8"], actual: undefined, expected: true },
  { operator: "Bool", values: ["false"], actual: "false", expected: true },
  { operator: "Bool", values: ["true"], actual: "false", expected: false },
  { operator: "Bool", values: ["TRUE"], actual: "true", expected: true },
  { operator: "Bool", values: ["true"], actual: undefined, expected: false },
];

for (const c of CONDITION_CASES) {
  Deno.test(`compileCondition() ${c.operator} ${JSON.stringify(c.values)} on ${c.actual} is ${c.expected}`, () => {
    assertEquals(compileCondition(c.operator, c.values)(c.actual), c.expected);
  });
}

const BAD_VALUES: readonly [ConditionOperator, string][] = [
  ["IpAddress", "127.0.0.0/33"],
  ["IpAddress", "256.0.0.1"],
  ["IpAddress", "1.2.3"],
  ["NotIpAddress", "2001:db8::/129"],
  ["NotIpAddress", "1::2::3"],
  ["IpAddress", "10.0.0.0/8x"],
  ["Bool", "yes"],
];

for (const [operator, value] of BAD_VALUES) {
  Deno.test(`compileCondition() rejects ${operator} value "${value}" naming it`, () => {
    let message = "";
    try {
      compileCondition(operator, [value]);
    } catch (error) {
      message = (error as Error).message;
    }
    assert(message.includes(`"${value}"`), `expected an error naming "${value}", got "${message}"`);
  });
}

Deno.test("parseIpAddress() reads IPv4, IPv6, bracketed and zoned forms; null for garbage", () => {
  assertEquals(parseIpAddress("192.0.2.1"), new Uint8Array([192, 0, 2, 1]));
  assertEquals(parseIpAddress("[::1]")?.length, 16);
  assertEquals(parseIpAddress("fe80::1%eth0")?.[0], 0xfe);
  assertEquals(parseIpAddress("1:2:3:4:5:6:7:8")?.[15], 8);
  assertEquals(parseIpAddress("1:2:3:4:5:6:7"), null);
  assertEquals(parseIpAddress("01.2.3.4.5"), null);
  assertEquals(parseIpAddress(""), null);
});

Deno.test("ipRangeContains() compares only the prefix bits", () => {
  const range = parseIpRange("10.1.2.3/12");
  assert(range !== null);
  assertEquals(ipRangeContains(range, parseIpAddress("10.15.255.255")!), true);
  assertEquals(ipRangeContains(range, parseIpAddress("10.16.0.0")!), false);
});
