import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      // Tests are server code; outside Next's bundler `server-only` would throw on import.
      "server-only": fileURLToPath(new URL("./test/helpers/empty.ts", import.meta.url)),
      "@/": fileURLToPath(new URL("./", import.meta.url)),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration suites start brokers on free ports; two cores, so keep files in parallel modest.
    maxWorkers: 2,
  },
});
