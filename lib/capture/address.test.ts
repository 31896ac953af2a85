import { describe, expect, it } from "vitest";
import { ipv4Text, ipv6Text } from "./address";
import { fromHex } from "./fixtures/build";

describe("IP address text", () => {
  it("writes IPv4 as a dotted quad", () => {
    expect(ipv4Text(Uint8Array.of(9, 192, 168, 0, 255), 1)).toBe("192.168.0.255");
  });

  // Cases from RFC 5952 sections 4 and 5.
  it.each([
    ["20010db8000000000000000000000001", "2001:db8::1"],
    ["00000000000000000000000000000001", "::1"],
    ["00000000000000000000000000000000", "::"],
    ["20010db8000000000000000000000000", "2001:db8::"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"], // one zero group is not compressed
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // the first of equal runs
    ["20010db8000000010000000000000000", "2001:db8:0:1::"],
    ["20010000000000000001000000000000", "2001::1:0:0:0"], // the longest run, not the first
    ["20010DB8AAAABBBBCCCCDDDDEEEE0AAA".toLowerCase(), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaa"],
    ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"], // IPv4-mapped keeps its dotted part
  ])("writes %s as %s", (bytes, textForm) => {
    expect(ipv6Text(fromHex(bytes), 0)).toBe(textForm);
  });
});
