import { defineConfig } from "vitest/config"

// One run over every package, so the totals .ci/run prints cover the whole graph.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts"],
    reporters: ["default", ["json", { outputFile: ".vitest/report.json" }]]
  }
})
