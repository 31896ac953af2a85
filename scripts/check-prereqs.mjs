// `npm test` first checks what the suite needs from the machine, and names the missing piece
// with the command that installs it.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { execFileSync } from "node:child_process";

const missing = [];

if (!existsSync("/usr/bin/chromium")) {
  missing.push("chromium (/usr/bin/chromium) for the e2e tests: apt-get update && apt-get install -y chromium");
}
try {
  execFileSync("mosquitto", ["-h"], { stdio: "ignore" });
} catch (err) {
  // `mosquitto -h` exits 3 after printing its help; only a missing binary is a problem.
  if (err.code === "ENOENT") missing.push("mosquitto for the broker integration tests: apt-get update && apt-get install -y mosquitto mosquitto-clients");
}
// The wire-capture tests make their captures with tcpdump and check the decoding against tshark.
for (const [tool, pkg] of [["tcpdump", "tcpdump"], ["tshark", "tshark"]]) {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
  } catch (err) {
    if (err.code === "ENOENT") missing.push(`${tool} for the wire-capture tests: apt-get update && apt-get install -y ${pkg}`);
  }
}
/** Whether something listens on 127.0.0.1:port. */
const answers = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.setTimeout(2000);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
if (!(await answers(5432))) {
  missing.push(
    "PostgreSQL at 127.0.0.1:5432 (trust auth, database test): apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  );
}

/** Whether an MQTT broker on 127.0.0.1:port accepts a 3.1.1 CONNECT (clean session, no login): CONNACK, code 0. */
const mqttAccepts = (port) =>
  new Promise((resolve) => {
    const id = Buffer.from("fleetscope-prereqs");
    const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from("MQTT"), Buffer.from([4, 0x02, 0, 10, 0, id.length]), id]);
    const s = connect({ host: "127.0.0.1", port });
    s.setTimeout(3000);
    s.once("connect", () => s.write(Buffer.concat([Buffer.from([0x10, body.length]), body])));
    s.once("data", (d) => (s.destroy(), resolve(d[0] === 0x20 && d[3] === 0)));
    // Closed without an answer, or refused: not an MQTT broker (a later resolve is a no-op).
    s.once("close", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
// RabbitMQ's MQTT plugin is the third broker the bridge, live view and commands suites run on.
if (!(await mqttAccepts(1885)) || !(await answers(15675))) {
  missing.push(
    "RabbitMQ's MQTT plugin at 127.0.0.1:1885 (and MQTT over WebSocket at :15675) for the third-broker tests: apt-get install -y rabbitmq-server && bash scripts/rabbitmq-mqtt.sh",
  );
}

if (missing.length) {
  for (const m of missing) process.stderr.write(`npm test: missing ${m}\n`);
  process.exit(1);
}
