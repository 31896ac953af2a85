import "server-only";
/**
 * The alert service `npm start` runs beside its bridge, as the configuration describes it, and
 * its part in /api/health. Only a process with a bridge competes for the lease: one without
 * sees no messages to evaluate (its routes still save rules and silences, which the holder
 * reads within POLL_MS).
 */
import type { Config } from "../config/env";
import type { Bridge } from "../bridge/bridge";
import type { CommandService } from "../command-service/service";
import { sharedInterpreter } from "../devices/shared";
import { setPart } from "../process/parts";
import { sharedTraceHub } from "../trace/hub";
import type { Store } from "../store/types";
import { AlertService } from "./service";
import { setAlertService } from "./shared";
import { logger } from "../log/logger";

const REPORT_EVERY_MS = 1000;

export async function startAlerts(config: Config, store: Store, bridge: Bridge, commands: CommandService | null, externalURL: string): Promise<AlertService> {
  const service = new AlertService({
    store: store.alerts,
    devices: () => store.listDevices(),
    holder: config.bridgeId,
    webhooks: config.alertWebhooks,
    secret: config.alertWebhookSecret,
    ...(config.alertEmail ? { email: config.alertEmail } : {}),
    grouping: config.alertGrouping,
    externalURL,
  });
  service.watchBridge(bridge);
  if (commands) service.watchCommands(commands);
  service.watchFlows(sharedTraceHub(), (topic) => (sharedInterpreter() ?? bridge.interpreter).deviceOfTopic(topic));
  const report = () => {
    const s = service.status();
    setPart("alerts", { status: s.lastError && s.role === "holder" ? "down" : "ok", ...(s.lastError ? { error: s.lastError } : {}), role: s.role, holder: s.holder, rules: s.rules, states: s.states, ruleProblems: s.ruleProblems, notifications: s.notifications, webhooks: config.alertWebhooks.length, email: config.alertEmail !== null });
  };
  setPart("alerts", { status: "starting" });
  // At most once a second for batches: status() counts every state.
  let last = 0;
  const now = () => {
    last = Date.now();
    report();
  };
  service.on("error", (err) => logger("alerts").error({ error: err.message }, "alert service failed"));
  service.on("role", now).on("error", now).on("committed", () => Date.now() - last >= REPORT_EVERY_MS && now());
  await service.start();
  report();
  setAlertService(service);
  return service;
}

export async function stopAlerts(service: AlertService | null): Promise<void> {
  if (!service) return;
  setAlertService(null);
  await service.stop();
  setPart("alerts", { status: "off" });
}
