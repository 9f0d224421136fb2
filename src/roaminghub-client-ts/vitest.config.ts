import { defineConfig } from "vitest/config";

// The tests run against real server nodes on a real Redis (test/global-setup.ts starts them), on a box that may be
// busy: generous timeouts, and one file at a time so the nodes are not shared by concurrent files.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
