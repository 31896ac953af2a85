/**
 * A fleet of `DEVICES` telemetry topics published round-robin at `RATE` messages per second in
 * total, for `SECONDS`, over one MQTT connection. Each payload carries the time it was sent, so
 * a page can tell how late it shows it. Run as a child process of bench/overview.ts.
 */
import mqtt from "mqtt";

const [url, devices, rate, seconds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const client = await mqtt.connectAsync(url, { clientId: `bench-overview-pub-${process.pid}` });
const TICK_MS = 10;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
const seq = new Array<number>(devices).fill(0);
let next = 0;
let sent = 0;
const start = Date.now();
const timer = setInterval(() => {
  // Catch up with the schedule, so a slow tick does not lower the rate.
  const due = Math.floor(((Date.now() - start) / 1000) * rate);
  for (let n = 0; n < Math.max(perTick, due - sent) && sent < due + perTick; n++) {
    const d = next++ % devices;
    seq[d]!++;
    client.publish(`fleet/s${d % 10}/d-${String(d).padStart(4, "0")}/telemetry`, `{"seq":${seq[d]},"sent":${Date.now()},"temp":${20 + (d % 50)}}`, { qos: 0 });
    sent++;
  }
  if (Date.now() - start >= seconds * 1000) {
    clearInterval(timer);
    void client.endAsync().then(() => {
      process.stdout.write(`${sent}\n`);
      process.exit(0);
    });
  }
}, TICK_MS);
