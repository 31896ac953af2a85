import type { NextConfig } from "next";

const config: NextConfig = {
  // Native and Node-only packages stay outside the bundle and load from node_modules.
  serverExternalPackages: ["better-sqlite3", "pg", "aedes", "ws"],
  poweredByHeader: false,
  // The custom server (server.ts) owns the port; nothing is fetched from the network at build.
  images: { unoptimized: true },
};

export default config;
