/** `npm run bridge`: the bridge alone, against MQTT_URL and DATABASE_URL. */
import { configOrExit } from "../lib/config/from-process";
import { bridgeFromConfig } from "../lib/bridge/from-config";
import { bridgeFilter } from "../lib/config/env";
import { redact } from "../lib/config/redact";
import { Retention } from "../lib/store/retention";
import { sharedStore } from "../lib/store/shared";
import { conventionsWith } from "../lib/devices/builtin";
import { RuleWatch } from "../lib/user-rules/watch";
import { startAlerts, stopAlerts } from "../lib/alerting/from-config";
import { logger } from "../lib/log/logger";

const config = configOrExit();
if (!config.mqttUrl) {
  logger("bridge").fatal("MQTT_URL: required when the bridge runs alone (e.g. mqtt://127.0.0.1:1883)");
  process.exit(2);
}
const store = await sharedStore(config.databaseUrl);
const bridge = bridgeFromConfig(config, config.mqttUrl, store, config.conventionRules);
// Rules saved on a server sharing this database apply here too, within RULES_POLL_MS; the
// first read comes before the first message.
const rules = new RuleWatch(store.rules, config.conventionRules, (r) => bridge.interpreter.setConventions(conventionsWith(r)));
await rules.start();
bridge.on("storeError", (err) => logger("bridge").error({ error: err.message }, "store error, retrying"));
bridge.on("offline", () => logger("bridge").warn("broker offline, reconnecting"));
await bridge.start();
const retention = new Retention(store, config.retentionDays);
retention.start();
// This bridge's stream is evaluated for alerts while it holds the alert lease (lib/alerting/lease.ts).
const alerts = await startAlerts(config, store, bridge, null, `http://localhost:${config.port}`);
logger("bridge").info(`fleetscope bridge ${config.bridgeId}: ${redact(config.mqttUrl)} (${bridgeFilter(config)}) → ${store.kind} ${redact(config.databaseUrl)}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    rules.stop();
    void stopAlerts(alerts)
      .then(() => bridge.stop())
      .then(() => retention.stop())
      .then(() => store.close())
      .then(() => process.exit(0));
  });
}
