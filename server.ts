/**
 * `npm start`: builds the app on first start, then runs every part of Fleetscope in this
 * process and prints one banner. SIGINT/SIGTERM shut it down cleanly.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { configOrExit } from "./lib/config/from-process";
import { startFleetscope } from "./lib/server/fleetscope";
import { consoleToLogger } from "./lib/log/console";
import { logger } from "./lib/log/logger";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const config = configOrExit();
consoleToLogger();
const dev = process.env.FLEETSCOPE_DEV === "1";

if (!dev && !existsSync(".next/BUILD_ID")) {
  logger("server").info("no production build yet, building once (about a minute)");
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const built = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (built.status !== 0) {
    logger("server").fatal("the build failed (see above)");
    process.exit(1);
  }
}

const started = Date.now();
const running = await startFleetscope(config, { dev }).catch((err: unknown) => {
  logger("server").fatal(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const lines = [
  `Fleetscope is running (${Date.now() - started} ms)`,
  `  UI              ${running.uiUrl}`,
  `  MQTT TCP        ${running.mqttUrl}${running.tcpPortNote ? `   (${running.tcpPortNote})` : ""}`,
  ...(running.mqttTls
    ? [
        `  MQTT TLS        ${running.mqttTls.url}${running.mqttTls.portNote ? `   (${running.mqttTls.portNote})` : ""}`,
        `  TLS certificate SHA-256 ${running.mqttTls.fingerprint}${running.mqttTls.selfSigned ? " (self-signed)" : ""}, ${running.mqttTls.certFile}`,
      ]
    : []),
  `  MQTT WebSocket  ${running.mqttWsUrl}`,
  `  store           ${running.storeDescription}`,
  `  demo fleet      ${config.simDevices} simulated device${config.simDevices === 1 ? "" : "s"}`,
  ...(config.captureInterface
    ? [`  capture         ${config.captureInterface}${config.captureFilter ? ` (${config.captureFilter})` : ""}, kept every ${config.captureRotateMs / 60_000} min: ${running.uiUrl}/wire`]
    : []),
  !config.auth
    ? "  login           off (FLEETSCOPE_AUTH=off): everyone who reaches the port is an admin"
    : running.setupUrl
      ? `  first login     ${running.setupUrl}   (one-time link: sets the admin password)`
      : `  login           ${running.uiUrl}/login`,
];
process.stdout.write(lines.join("\n") + "\n");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second Ctrl-C means now
    stopping = true;
    logger("server").info(`${signal}, stopping`);
    running.stop().then(
      () => {
        logger("server").info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger("server").error(`unclean stop: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  });
}
