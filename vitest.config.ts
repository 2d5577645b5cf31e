import { defineConfig } from "vitest/config";

// The data transforms are plain functions: they run in Node, no browser needed.
export default defineConfig({
  test: {
    include: ["js/test/**/*.test.ts"],
    environment: "node",
  },
});
