import type { NextConfig } from "next";
import { SECURITY_HEADERS } from "./lib/http/csp";

const config: NextConfig = {
  // Native and Node-only packages stay outside the bundle and load from node_modules.
  serverExternalPackages: ["better-sqlite3", "pg", "aedes", "ws"],
  poweredByHeader: false,
  // The custom server (server.ts) owns the port; nothing is fetched from the network at build.
  images: { unoptimized: true },
  // The CSP itself comes from proxy.ts (a nonce per request); these hold for every response.
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default config;
