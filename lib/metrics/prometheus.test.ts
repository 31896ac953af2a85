import { describe, expect, it } from "vitest";
import { renderMetrics } from "./prometheus";

describe("Prometheus exposition", () => {
  it("writes HELP, TYPE and samples with escaped labels", () => {
    const text = renderMetrics([
      { name: "fleetscope_commands_total", help: "Commands by final state", type: "counter", samples: [{ labels: { state: "succeeded" }, value: 3 }, { labels: { state: 'we"ird\\\n' }, value: 0 }] },
      { name: "fleetscope_up", help: "1", type: "gauge", samples: [{ value: Number.NaN }] },
    ]);
    expect(text).toBe(
      [
        "# HELP fleetscope_commands_total Commands by final state",
        "# TYPE fleetscope_commands_total counter",
        'fleetscope_commands_total{state="succeeded"} 3',
        'fleetscope_commands_total{state="we\\"ird\\\\\\n"} 0',
        "# HELP fleetscope_up 1",
        "# TYPE fleetscope_up gauge",
        "fleetscope_up NaN",
        "",
      ].join("\n"),
    );
  });
});
