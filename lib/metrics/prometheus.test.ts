import { describe, expect, it } from "vitest";
import { Counter, Gauge, Registry } from "prom-client";
import { exposition } from "./prometheus";

describe("Prometheus exposition", () => {
  it("writes HELP, TYPE and samples with escaped labels", async () => {
    const registry = new Registry();
    const commands = new Counter({ name: "fleetscope_commands_total", help: "Commands by final state", labelNames: ["state"], registers: [registry] });
    commands.inc({ state: "succeeded" }, 3);
    commands.inc({ state: 'we"ird\\\n' }, 0);
    new Gauge({ name: "fleetscope_up", help: "1", registers: [registry] }).set(Number.NaN);
    const text = await exposition(registry);
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
