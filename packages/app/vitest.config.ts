import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@fill-tracker/source"] },
  ssr: { resolve: { conditions: ["@fill-tracker/source"] } },
  test: {
    name: "app",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The CLI tests run the bundled binary: bundle it first when a source changed.
    globalSetup: ["test/globalSetup.ts"]
  }
})
