import "server-only";
/**
 * The counts GET /api/metrics has always exposed, read from the parts running in this process
 * each time the registry is scraped (prom-client's `collect`): names, labels and types stay as
 * scrapers know them. Counts only, never device names or topics, so a scraper needs no login.
 * A part this process does not run reads 0 (an unlabelled family) or no samples (a labelled one).
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { fleetMetrics } from "../metrics/registry";
import { commandService } from "../command-service/shared";
import { FINAL_STATES } from "../commands/lifecycle";
import { qos0Drops } from "../broker/slow-readers";
import { getPart, type PartStatus } from "../process/parts";
import { alertService } from "../alerting/shared";
import { SEVERITIES } from "../alerts/rule";
import { ALERT_STATUSES } from "../alerts/state";

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const up = (p: PartStatus | undefined) => (p?.status === "ok" ? 1 : 0);
/** The bridge's stats, where one runs in this process. */
const bridge = () => {
  const b = getPart("bridge");
  return b && b.status !== "off" ? b : undefined;
};

/** A counter whose total is kept elsewhere: each scrape sets it to that total. */
function total(registry: Registry, name: string, help: string, read: () => number) {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number) {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * The process's registry with its parts' state on it, for a scrape. Registered on first use: the
 * registry's module sits below everything it reads, and prom-client refuses a name twice.
 */
export function scrapedRegistry(): Registry {
  const { registry } = fleetMetrics();
  if (!registry.getSingleMetric("fleetscope_part_up")) registerStateMetrics(registry);
  return registry;
}

function registerStateMetrics(registry: Registry): void {
  const registers = [registry];
  new Gauge({
    name: "fleetscope_part_up",
    help: "1 when the part is ok in this process",
    labelNames: ["part"],
    registers,
    collect() {
      this.set({ part: "broker" }, up(getPart("broker")));
      this.set({ part: "bridge" }, up(getPart("bridge")));
      this.set({ part: "commands" }, commandService()?.status().connected ? 1 : 0);
    },
  });
  total(registry, "fleetscope_broker_qos0_dropped_total", "QoS 0 messages the embedded broker dropped for WebSocket clients too far behind", () => (getPart("broker")?.embedded ? qos0Drops().count : 0));
  total(registry, "fleetscope_bridge_stored_messages_total", "Messages the bridge committed to the store", () => num(bridge()?.stored));
  total(registry, "fleetscope_bridge_duplicates_total", "Redeliveries recognised and not stored again", () => num(bridge()?.duplicates));
  total(registry, "fleetscope_bridge_dropped_total", "Messages the bridge could not keep", () => num(bridge()?.dropped));
  gauge(registry, "fleetscope_bridge_pending_messages", "Received and not yet in the store", () => num(bridge()?.pending));
  new Counter({
    name: "fleetscope_commands_finished_total",
    help: "Commands that reached a final state since start, by state",
    labelNames: ["state"],
    registers,
    collect() {
      this.reset();
      const finished = commandService()?.finishedCounts();
      if (finished) for (const state of FINAL_STATES) this.inc({ state }, finished.get(state) ?? 0);
    },
  });
  gauge(registry, "fleetscope_commands_open", "Commands sent and not yet confirmed, failed or timed out", () => commandService()?.status().open ?? 0);
  gauge(registry, "fleetscope_alerts_lease_held", "1 when this process holds the alert lease and evaluates the alerts", () => (alertService()?.isHolder ? 1 : 0));
  new Counter({
    name: "fleetscope_alert_notifications_total",
    help: "Webhook delivery attempts since start, by outcome (retry: failed and tried again later; failed: given up)",
    labelNames: ["outcome"],
    registers,
    collect() {
      this.reset();
      const alerts = alertService();
      if (alerts) for (const outcome of ["delivered", "retry", "failed"] as const) this.inc({ outcome }, alerts.status().notifications[outcome]);
    },
  });
  new Gauge({
    name: "fleetscope_alerts",
    help: "Alert states (rule on device) by state and severity, on the alert lease holder",
    labelNames: ["state", "severity"],
    registers,
    collect() {
      this.reset();
      const alerts = alertService();
      // Only the holder counts them, so a sum over every server counts each alert once.
      if (!alerts?.isHolder) return;
      const { counts } = alerts.status();
      for (const state of ALERT_STATUSES)
        for (const severity of SEVERITIES) this.set({ state, severity }, counts.find((c) => c.state === state && c.severity === severity)?.count ?? 0);
    },
  });
}
