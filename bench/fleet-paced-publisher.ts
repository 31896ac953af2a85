/**
 * The demo fleet's telemetry at a steady rate: `count` QoS 0 messages at `rate` a second from
 * `devices` arms (`fleet/bench/arm-NN/telemetry`, one connection each), in 10 ms ticks. A process
 * of its own, so what is measured does not share its event loop with it. Prints the seconds it took.
 */
import mqtt from "mqtt";

const [url, count, rate, devices] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 1)];
const arm = (i: number) => `arm-${String(i + 1).padStart(2, "0")}`;
const clients = await Promise.all(Array.from({ length: devices }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-fleet-${process.pid}-${i}`, log: () => undefined })));
const perTick = Math.max(1, Math.round(rate / 100));
const start = performance.now();
for (let sent = 0; sent < count; ) {
  for (let i = 0; i < perTick && sent < count; i++, sent++) {
    const d = sent % devices;
    const k = Math.floor(sent / devices) + 1;
    clients[d]!.publish(`fleet/bench/${arm(d)}/telemetry`, `{"seq":${k},"temp":${40 + ((k + d) % 7)},"current":${1.2 + (k % 3) / 10},"speed":${k % 100}}`, { qos: 0 });
  }
  // Catch up with the clock, never ahead of it.
  const wait = start + (sent / rate) * 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await Promise.all(clients.map((c) => c.endAsync()));
process.stdout.write(`${(performance.now() - start) / 1000}\n`);
