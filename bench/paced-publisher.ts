/**
 * Publishes `count` QoS 0 messages at `rate` a second from `devices` connections, in 10 ms ticks,
 * each tick's messages spread over the connections (as a fleet sends: each device its own few
 * messages, so each message its own TCP segment rather than one batch). A process of its own, so
 * what is measured does not share its event loop with it. Prints the seconds it took.
 */
import mqtt from "mqtt";

const [url, count, rate, devices] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 1)];
const clients = await Promise.all(Array.from({ length: devices }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-paced-${process.pid}-${i}`, log: () => undefined })));
const perTick = Math.max(1, Math.round(rate / 100));
const start = performance.now();
for (let sent = 0; sent < count; ) {
  for (let i = 0; i < perTick && sent < count; i++, sent++) {
    clients[sent % devices]!.publish(`bench/arm-${sent % devices}/telemetry`, `{"seq":${sent},"temp":${40 + (sent % 7)}}`, { qos: 0 });
  }
  // Catch up with the clock, never ahead of it.
  const wait = start + (sent / rate) * 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await Promise.all(clients.map((c) => c.endAsync()));
process.stdout.write(`${(performance.now() - start) / 1000}\n`);
