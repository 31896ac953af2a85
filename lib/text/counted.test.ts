import { expect, it } from "vitest";
import { counted } from "./counted";

it("puts the noun in the singular for one only", () => {
  expect(counted(1, "topic")).toBe("1 topic");
  expect(counted(0, "topic")).toBe("0 topics");
  expect(counted(2, "alarm")).toBe("2 alarms");
  expect(counted(1, "msg/s", "msgs/s")).toBe("1 msg/s");
});
