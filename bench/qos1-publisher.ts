/**
 * Publishes `count` demo telemetry messages at QoS 1 to `topic`, at most WINDOW unacknowledged at
 * a time, then prints how many were acknowledged. A process of its own, as devices are. Used where
 * `mosquitto_pub -l` will not do: given more than about 75,000 lines at once, mosquitto_pub 2.0.11
 * exits early (status 0) with the rest unsent, whatever feeds its stdin.
 */
import mqtt from "mqtt";
import { telemetryLines } from "./line-publisher";

const WINDOW = 1000;
const [url, topic, count] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4])];
const client = await mqtt.connectAsync(url, { clientId: `bench-qos1-pub-${process.pid}` });
let acked = 0;
let outstanding = 0;
let wake: (() => void) | null = null;
for (const chunk of telemetryLines(count)) {
  for (const line of chunk.split("\n")) {
    if (!line) continue;
    while (outstanding >= WINDOW) await new Promise<void>((r) => (wake = r));
    outstanding++;
    client.publish(topic, line, { qos: 1 }, (err) => {
      if (err) throw err;
      acked++;
      outstanding--;
      wake?.();
      wake = null;
    });
  }
}
while (outstanding > 0) await new Promise<void>((r) => (wake = r));
await client.endAsync();
process.stdout.write(`${acked}\n`);
