import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["@fill-tracker/source"] },
  ssr: { resolve: { conditions: ["@fill-tracker/source"] } },
  test: { name: "domain", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 }
})
