/**
 * Certificates a test makes for itself: a CA, and client certificates it signs with a given CN
 * (EC P-256, made in milliseconds), written to a temporary folder for tools that take files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TestPki {
  dir: string;
  caFile: string;
  ca: { cert: string; key: string };
  /** A client certificate signed by this CA, with `cn` as its subject's common name; files too. */
  client(cn: string): Promise<{ cert: string; key: string; certFile: string; keyFile: string }>;
  remove(): void;
}

export async function makeTestPki(name = "Fleetscope test CA"): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-pki-"));
  const made = await generate([{ name: "commonName", value: name }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const ca = { cert: made.cert, key: made.private };
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, ca.cert);
  return {
    dir,
    caFile,
    ca,
    async client(cn) {
      const c = await generate([{ name: "commonName", value: cn }], {
        keyType: "ec",
        algorithm: "sha256",
        ca,
        extensions: [
          { name: "basicConstraints", cA: false },
          { name: "keyUsage", digitalSignature: true, keyAgreement: true },
          { name: "extKeyUsage", clientAuth: true },
        ],
      });
      const certFile = join(dir, `${cn}-cert.pem`);
      const keyFile = join(dir, `${cn}-key.pem`);
      writeFileSync(certFile, c.cert);
      writeFileSync(keyFile, c.private, { mode: 0o600 });
      return { cert: c.cert, key: c.private, certFile, keyFile };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
