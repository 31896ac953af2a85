import "server-only";
/**
 * The embedded broker's TLS certificate: the files MQTT_TLS_CERT and MQTT_TLS_KEY name, or one
 * made on first start and kept in a folder beside the store's data, so devices that pinned its
 * fingerprint find the same one after a restart. The private key is written owner-only (0600).
 */
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the certificate's DER bytes, colon-separated hex (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint: string;
  /** The certificate's file, for `mosquitto_pub --cafile` and MQTT.js's `ca`. */
  certFile: string;
  /** Made by Fleetscope (now or on an earlier start), not given. */
  selfSigned: boolean;
}

/** A self-signed certificate lasts this long; a new one is made when the kept one has expired. */
const SELF_SIGNED_DAYS = 825;

export const SELF_SIGNED_CERT = "broker-cert.pem";
export const SELF_SIGNED_KEY = "broker-key.pem";

/** The given certificate, else the kept self-signed one in `dir`, else a new one made there. */
export async function brokerCertificate(opts: { certFile?: string; keyFile?: string; dir: string }): Promise<TlsCertificate> {
  if (opts.certFile && opts.keyFile) return read(opts.certFile, opts.keyFile, false);
  const certFile = join(opts.dir, SELF_SIGNED_CERT);
  const keyFile = join(opts.dir, SELF_SIGNED_KEY);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const kept = read(certFile, keyFile, true);
    if (Date.parse(new X509Certificate(kept.cert).validTo) > Date.now()) return kept;
  }
  const now = new Date();
  // EC P-256: made in milliseconds (an RSA key takes a noticeable part of a second on these machines).
  const made = await generate([{ name: "commonName", value: "Fleetscope embedded broker" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyAgreement: true },
      { name: "extKeyUsage", serverAuth: true },
      // The names a device on this machine or the LAN uses; others verify by fingerprint or pass their own certificate.
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  mkdirSync(opts.dir, { recursive: true });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file: one left by an older run is narrowed too.
  chmodSync(keyFile, 0o600);
  writeFileSync(certFile, made.cert);
  return read(certFile, keyFile, true);
}

function read(certFile: string, keyFile: string, selfSigned: boolean): TlsCertificate {
  const cert = readFileSync(certFile, "utf8");
  return { cert, key: readFileSync(keyFile, "utf8"), fingerprint: new X509Certificate(cert).fingerprint256, certFile, selfSigned };
}
