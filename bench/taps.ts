/**
 * The embedded broker's throughput with packet taps on against the same broker with them off, in
 * the same run: `mosquitto_pub -l` sends QoS 1 telemetry lines through the broker to an MQTT.js
 * subscriber, and the rate is messages received per second. Each run uses a fresh broker; the two
 * alternate, twice each, and the better run of each counts, so a burst of other load on the
 * machine does not decide the ratio.
 */
import { spawn } from "node:child_process";
import mqtt from "mqtt";
import { startEmbeddedBroker } from "../lib/broker/embedded";
import { TraceHub } from "../lib/qos/trace-hub";
import type { BenchResult } from "./run";

const MESSAGES = 50_000;
const ROUNDS = 2;

async function throughput(traced: boolean): Promise<number> {
  const hub = traced ? new TraceHub() : undefined;
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", trace: hub });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  try {
    const sub = await mqtt.connectAsync(url, { clientId: `bench-taps-sub-${traced}` });
    let seen = 0;
    const done = new Promise<void>((resolve) => sub.on("message", () => ++seen === MESSAGES && resolve()));
    await sub.subscribeAsync("fleet/#", { qos: 1 });
    const lines: string[] = [];
    for (let i = 0; i < MESSAGES; i++) lines.push(JSON.stringify({ seq: i + 1, temp: 40 + (i % 7), current: 1.2 }));
    const start = performance.now();
    const pub = spawn("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.tcpPort), "-t", "fleet/bench/arm-01/telemetry", "-q", "1", "-l", "-i", `bench-taps-pub-${traced}`], { stdio: ["pipe", "ignore", "inherit"] });
    pub.stdin.end(lines.join("\n") + "\n");
    await done;
    const rate = (MESSAGES / (performance.now() - start)) * 1000;
    pub.kill();
    await sub.endAsync();
    if (hub && hub.packets().length === 0) throw new Error("the taps saw nothing");
    return rate;
  } finally {
    await broker.close();
    hub?.close();
  }
}

export async function benchTaps(): Promise<BenchResult[]> {
  let on = 0;
  let off = 0;
  for (let i = 0; i < ROUNDS; i++) {
    off = Math.max(off, await throughput(false));
    on = Math.max(on, await throughput(true));
  }
  return [
    {
      name: `embedded broker with packet taps on every connection, QoS 1 (${MESSAGES} msgs, mosquitto_pub → Aedes → MQTT.js)`,
      value: on,
      unit: "msgs/s",
      reference: off,
      referenceName: "same broker, taps off",
    },
  ];
}
