import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@fill-tracker/source"] },
  ssr: { resolve: { conditions: ["@fill-tracker/source"] } },
  test: {
    name: "app",
    include: ["test/**/*.test.ts"],
    // Only a bound on a hang: a CLI test starts the binary several times, and with the suite
    // beside a second copy of it (load 20-29 on 2 vCPUs) 60-90 s limits failed correct runs.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // The CLI tests run the bundled binary: bundle it first when a source changed.
    globalSetup: ["test/globalSetup.ts"]
  }
})
