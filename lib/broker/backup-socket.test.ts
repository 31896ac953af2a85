import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedBroker } from "./embedded";
import { openAccess } from "./access";
import { backupSocketPath, brokerServerAnswers, requestBrokerBackup, serveBrokerBackups } from "./backup-socket";
import { databaseProblem, lockState } from "../backup/sqlite-files";
import mqtt from "mqtt";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-backup-socket-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${++n}-${name}`);

describe("the broker's backup socket", () => {
  it("hands the asker the copy the broker wrote, byte for byte, and removes the broker's temporary copy", async () => {
    const brokerFile = fresh("broker.db");
    const content = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const written: string[] = [];
    const service = await serveBrokerBackups({
      brokerFile,
      socketPath: `${brokerFile}.sock`,
      backup: async (destination) => {
        written.push(destination);
        writeFileSync(destination, content);
      },
    });
    const out = fresh("copy.db");
    expect(await requestBrokerBackup(service.socket, out)).toEqual({ kind: "copied", bytes: content.length });
    expect(readFileSync(out).equals(content)).toBe(true);
    expect(written).toHaveLength(1);
    expect(existsSync(written[0]!)).toBe(false);
    await service.close();
    expect(existsSync(service.socket)).toBe(false);
  });

  it("removes the copies a killed server left beside the broker's file", async () => {
    const brokerFile = fresh("broker.db");
    const leftovers = [`${dir}/.${n}-broker.db.backup-0a1b2c.tmp`, `${dir}/.${n}-broker.db.backup-0a1b2c.tmp-journal`];
    for (const f of leftovers) writeFileSync(f, "x");
    writeFileSync(`${dir}/.${n}-other.db.backup-0a1b2c.tmp`, "not ours");
    const service = await serveBrokerBackups({ brokerFile, socketPath: `${brokerFile}.sock`, backup: async () => {} });
    expect(leftovers.filter((f) => existsSync(f))).toEqual([]);
    expect(existsSync(`${dir}/.${n}-other.db.backup-0a1b2c.tmp`)).toBe(true);
    await service.close();
  });

  it("is reachable by the file's owner only", async () => {
    const brokerFile = fresh("broker.db");
    const service = await serveBrokerBackups({ brokerFile, socketPath: `${brokerFile}.sock`, backup: async () => {} });
    expect(statSync(service.socket).mode & 0o777).toBe(0o600);
    await service.close();
  });

  it("passes on the broker's failure as the asker's error", async () => {
    const brokerFile = fresh("broker.db");
    const service = await serveBrokerBackups({
      brokerFile,
      socketPath: `${brokerFile}.sock`,
      backup: async () => {
        throw new Error("disk full");
      },
    });
    await expect(requestBrokerBackup(service.socket, fresh("copy.db"))).rejects.toThrow("the broker could not copy its file: disk full");
    await service.close();
  });

  it("answers a request it does not know with an error, and nothing else", async () => {
    const brokerFile = fresh("broker.db");
    let asked = 0;
    const service = await serveBrokerBackups({ brokerFile, socketPath: `${brokerFile}.sock`, backup: async () => void asked++ });
    const socket = createConnection(service.socket);
    await once(socket, "connect");
    socket.end('{"op":"delete everything"}\n');
    let reply = "";
    for await (const chunk of socket) reply += String(chunk);
    expect(JSON.parse(reply)).toEqual({ ok: false, error: 'unknown request: this socket answers {"op":"backup"} only' });
    expect(asked).toBe(0);
    await service.close();
  });

  it("says no server answers when there is no socket, or a dead server's socket file", async () => {
    expect(await requestBrokerBackup(fresh("none.sock"), fresh("copy.db"))).toEqual({ kind: "no-server", why: expect.stringContaining("there is no socket") });
    // A file where the socket was, as a SIGKILL leaves it: nothing listens.
    const stale = fresh("stale.sock");
    writeFileSync(stale, "");
    expect(await requestBrokerBackup(stale, fresh("copy.db"))).toMatchObject({ kind: "no-server" });
    expect(await brokerServerAnswers(stale)).toBe(false);
  });
});

describe("an embedded broker with a durable file", () => {
  it("copies its file on request while it runs, retained messages and all, and takes over a socket a killed broker left", async () => {
    const file = fresh("embedded-broker.db");
    // What a SIGKILLed broker leaves: a socket file nobody listens on.
    writeFileSync(backupSocketPath(file), "");
    const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess, persistence: { kind: "sqlite", file } });
    try {
      expect(lockState(file)).toBe("held");
      expect(await brokerServerAnswers(backupSocketPath(file))).toBe(true);
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.tcpPort}`, { clientId: "backup-socket-test" });
      await client.publishAsync("fleet/lab/a-1/status", "online", { qos: 1, retain: true });
      await client.endAsync();
      const out = fresh("embedded-copy.db");
      const copied = await requestBrokerBackup(backupSocketPath(file), out);
      expect(copied).toMatchObject({ kind: "copied" });
      expect(databaseProblem(out, "retained")).toBeNull();
      const Database = (await import("better-sqlite3")).default;
      const db = new Database(out, { readonly: true });
      expect(db.prepare("SELECT topic, payload FROM retained").all()).toEqual([{ topic: "fleet/lab/a-1/status", payload: Buffer.from("online") }]);
      db.close();
    } finally {
      await broker.close();
    }
    expect(existsSync(backupSocketPath(file))).toBe(false);
    expect(lockState(file)).toBe("free");
  });
});
