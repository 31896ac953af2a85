import { describe, expect, it } from "vitest";
import { auditQuery, fromLocalInput, parseAuditFilter, toLocalInput } from "./audit-filter";
import { commandsToCsv } from "./audit-csv";
import { sampleCommand } from "../../test/helpers/commands";
import { applyInput } from "./lifecycle";

describe("audit filter", () => {
  it("round-trips through the URL, dropping what is not a filter", () => {
    const f = parseAuditFilter(new URLSearchParams("device=arm-01&state=failed&from=100&to=abc&bogus=1"));
    expect(f).toEqual({ device: "arm-01", name: "", state: "failed", actor: "", from: 100, to: null });
    expect(auditQuery(f).toString()).toBe("device=arm-01&state=failed&from=100");
    expect(parseAuditFilter(new URLSearchParams("state=exploded")).state).toBe("");
    // Past what a Date can hold: no filter, rather than NaN in the inputs.
    expect(parseAuditFilter(new URLSearchParams("from=9999999999999999")).from).toBeNull();
  });

  it("converts datetime-local text both ways", () => {
    const ms = fromLocalInput("2026-03-04T05:06")!;
    expect(toLocalInput(ms)).toBe("2026-03-04T05:06");
    expect(fromLocalInput("")).toBeNull();
  });
});

describe("audit CSV", () => {
  it("writes one row per command with timings, and defuses device text a spreadsheet would run", () => {
    const c = sampleCommand({ id: "c1", args: { joint: 1, angle: 2 }, createdAt: Date.UTC(2026, 0, 1) });
    const t0 = c.createdAt;
    const failed = [
      { type: "published", at: t0 + 5 },
      { type: "reply", at: t0 + 40, ok: false, error: '=HYPERLINK("http://x","y")' },
    ].reduce((x, i) => applyInput(x, i as Parameters<typeof applyInput>[1]), c);
    const [header, row] = commandsToCsv([failed]).trim().split("\r\n");
    expect(header).toBe("created,created_ms,id,actor,device,command,args,state,sent_ms,delivered_ms,finished_ms,round_trip_ms,outcome");
    expect(row).toBe(`2026-01-01T00:00:00.000Z,${t0},c1,ops,arm-01,move_joint,"{""joint"":1,""angle"":2}",failed,${t0 + 5},,${t0 + 40},35,"'=HYPERLINK(""http://x"",""y"")"`);
  });
});
