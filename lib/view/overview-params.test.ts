import { expect, it } from "vitest";
import { overviewQuery, parseOverview } from "./overview-params";

const params = (query: string) => new URLSearchParams(query);

it("reads a pasted link's filter, sort and grouping, and defaults for anything else", () => {
  expect(parseOverview(params("q=plant a&sort=status&group=none"))).toEqual({ filter: "plant a", sort: "status", bySite: false });
  expect(parseOverview(params(""))).toEqual({ filter: "", sort: "name", bySite: true });
  expect(parseOverview(params("sort=toString&group=yes"))).toEqual({ filter: "", sort: "name", bySite: true });
  expect(parseOverview(params(`q=${"x".repeat(500)}`)).filter).toHaveLength(200);
});

it("writes a canonical query, empty for the defaults, that reads back the same", () => {
  expect(overviewQuery({ filter: "", sort: "name", bySite: true })).toBe("");
  const v = { filter: "arm-0&1", sort: "alarms", bySite: false } as const;
  expect(overviewQuery(v)).toBe("?q=arm-0%261&sort=alarms&group=none");
  expect(parseOverview(params(overviewQuery(v).slice(1)))).toEqual(v);
});
