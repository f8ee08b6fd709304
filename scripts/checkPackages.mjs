// `pnpm check:packages`: each of the five packages, packed as it would be published, must
// pass publint (strict: warnings fail too) and @arethetypeswrong/cli under the ESM-only
// profile (the packages are ES modules only; CommonJS resolution is not offered). Run
// `pnpm build` first: both look at dist/.
import { execFileSync } from "node:child_process"
import * as path from "node:path"

const packages = ["domain", "schwab-client", "schwab-sandbox", "store", "app"]
const bin = (name) => path.join("node_modules", ".bin", name)
const failed = []

for (const name of packages) {
  const dir = path.join("packages", name)
  for (const [tool, args] of [
    ["publint", [dir, "--strict"]],
    ["attw", ["--pack", dir, "--profile", "esm-only", "--format", "table-flipped"]]
  ]) {
    try {
      execFileSync(bin(tool), args, { stdio: "inherit" })
    } catch {
      failed.push(`${tool} ${name}`)
    }
  }
}

if (failed.length > 0) {
  console.error(`check:packages failed: ${failed.join(", ")}`)
  process.exit(1)
}
console.log(`check:packages: ${packages.length} packages clean (publint --strict, attw esm-only)`)
