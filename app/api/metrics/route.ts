import { commandService } from "@/lib/commands/shared";
import { FINAL_STATES } from "@/lib/commands/lifecycle";
import { qos0Drops } from "@/lib/broker/slow-readers";
import { getPart } from "@/lib/health/parts";
import { renderMetrics, type MetricFamily } from "@/lib/metrics/prometheus";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { alertService } from "@/lib/alerting/shared";
import { SEVERITIES } from "@/lib/alerts/rule";
import { ALERT_STATUSES } from "@/lib/alerts/state";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * GET /api/metrics: this process's counters in Prometheus text format. Counts only, never device
 * names or topics, so a scraper needs no login.
 */
export async function GET() {
  const bridge = getPart("bridge");
  const broker = getPart("broker");
  const service = commandService();
  const up = (p: { status: string } | undefined) => (p?.status === "ok" ? 1 : 0);
  const families: MetricFamily[] = [
    { name: "fleetscope_part_up", help: "1 when the part is ok in this process", type: "gauge", samples: [{ labels: { part: "broker" }, value: up(broker) }, { labels: { part: "bridge" }, value: up(bridge) }, { labels: { part: "commands" }, value: service?.status().connected ? 1 : 0 }] },
  ];
  if (broker?.embedded) {
    families.push({ name: "fleetscope_broker_qos0_dropped_total", help: "QoS 0 messages the embedded broker dropped for WebSocket clients too far behind", type: "counter", samples: [{ value: qos0Drops().count }] });
  }
  if (bridge && bridge.status !== "off") {
    families.push(
      { name: "fleetscope_bridge_stored_messages_total", help: "Messages the bridge committed to the store", type: "counter", samples: [{ value: num(bridge.stored) }] },
      { name: "fleetscope_bridge_duplicates_total", help: "Redeliveries recognised and not stored again", type: "counter", samples: [{ value: num(bridge.duplicates) }] },
      { name: "fleetscope_bridge_dropped_total", help: "Messages the bridge could not keep", type: "counter", samples: [{ value: num(bridge.dropped) }] },
      { name: "fleetscope_bridge_pending_messages", help: "Received and not yet in the store", type: "gauge", samples: [{ value: num(bridge.pending) }] },
    );
  }
  if (service) {
    const finished = service.finishedCounts();
    families.push(
      { name: "fleetscope_commands_finished_total", help: "Commands that reached a final state since start, by state", type: "counter", samples: [...FINAL_STATES].map((state) => ({ labels: { state }, value: finished.get(state) ?? 0 })) },
      { name: "fleetscope_commands_open", help: "Commands sent and not yet confirmed, failed or timed out", type: "gauge", samples: [{ value: service.status().open }] },
    );
  }
  const alerts = alertService();
  if (alerts) {
    const st = alerts.status();
    families.push(
      { name: "fleetscope_alerts_lease_held", help: "1 when this process holds the alert lease and evaluates the alerts", type: "gauge", samples: [{ value: alerts.isHolder ? 1 : 0 }] },
      { name: "fleetscope_alert_notifications_total", help: "Webhook delivery attempts since start, by outcome (retry: failed and tried again later; failed: given up)", type: "counter", samples: (["delivered", "retry", "failed"] as const).map((outcome) => ({ labels: { outcome }, value: st.notifications[outcome] })) },
    );
    // Only the holder counts them, so a sum over every server counts each alert once.
    if (alerts.isHolder) {
      const count = (state: string, severity: string) => st.counts.find((c) => c.state === state && c.severity === severity)?.count ?? 0;
      families.push({ name: "fleetscope_alerts", help: "Alert states (rule on device) by state and severity, on the alert lease holder", type: "gauge", samples: ALERT_STATUSES.flatMap((state) => SEVERITIES.map((severity) => ({ labels: { state, severity }, value: count(state, severity) }))) });
    }
  }
  return new Response(renderMetrics(families), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
}
