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
const pg = await new Promise((resolve) => {
  const s = connect({ host: "127.0.0.1", port: 5432 });
  s.setTimeout(2000);
  s.once("connect", () => (s.destroy(), resolve(true)));
  s.once("error", () => resolve(false));
  s.once("timeout", () => (s.destroy(), resolve(false)));
});
if (!pg) {
  missing.push(
    "PostgreSQL at 127.0.0.1:5432 (trust auth, database test): apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  );
}

if (missing.length) {
  for (const m of missing) process.stderr.write(`npm test: missing ${m}\n`);
  process.exit(1);
}
