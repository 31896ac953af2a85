/**
 * Publishes a conventions bench stream (bench/convention-streams.ts) to a broker as fast as it
 * takes them: the descriptions first (retained where the projects retain them), then `count`
 * messages at QoS `qos`. A process of its own, so the bridge measured does not share its event
 * loop with the publisher. Prints the number sent and exits.
 */
import mqtt from "mqtt";
import { demoStream, descriptions, mixedStream } from "./convention-streams";

const [url, kind, count, qos] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]) as 0 | 1];
const client = await mqtt.connectAsync(url, { clientId: `bench-stream-pub-${process.pid}`, log: () => undefined });
const before = kind === "mixed" ? descriptions() : [];
const stream = kind === "mixed" ? mixedStream(count) : demoStream(count);
for (const m of before) await client.publishAsync(m.topic, Buffer.from(m.payload), { qos: 1, retain: m.retain });
// In windows, so MQTT.js's queue (and the broker's inflight limit) never holds the whole run.
const WINDOW = 500;
for (let i = 0; i < stream.length; i += WINDOW) {
  await Promise.all(stream.slice(i, i + WINDOW).map((m) => client.publishAsync(m.topic, Buffer.from(m.payload), { qos })));
}
await client.endAsync();
process.stdout.write(`${before.length + stream.length}\n`);
