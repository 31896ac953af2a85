import { expect, it } from "vitest";
import { exportName, toCsv, toJson } from "./chart-export";

const points = [{ t: 0, v: 1.5 }, { t: 1000, v: 2, band: [1, 3] as [number, number] }];

it("writes CSV with a header, ISO and epoch times, and min/max where a bucket has them", () => {
  expect(toCsv("arm-1", "temp", points)).toBe(
    "time,epoch_ms,device,field,value,min,max\r\n1970-01-01T00:00:00.000Z,0,arm-1,temp,1.5,,\r\n1970-01-01T00:00:01.000Z,1000,arm-1,temp,2,1,3\r\n",
  );
});

it("quotes untrusted names that hold commas or quotes", () => {
  expect(toCsv('a,"b"', "t", [{ t: 0, v: 1 }]).split("\r\n")[1]).toContain('"a,""b"""');
});

it("writes JSON and a safe file name", () => {
  expect(JSON.parse(toJson("a", "t", points)).points[1]).toEqual({ t: 1000, value: 2, min: 1, max: 3 });
  expect(exportName("../etc/<x>", "joints.0", "csv")).toBe("_etc_x_-joints.0.csv");
});
