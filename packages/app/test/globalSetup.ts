/**
 * Before the app's tests: bundle the binary again when any workspace source is newer than
 * it, so the tests that run dist/fill-tracker.js (the CLI as users run it) never run stale
 * code, whether or not `pnpm build` ran first. esbuild takes a few seconds; an up-to-date
 * bundle costs one walk over the sources.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { builtBinary, repoRoot } from "./child.js"

const newestSource = (dir: string): number => {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full))
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs)
  }
  return newest
}

export default function setup() {
  const packages = path.join(repoRoot, "packages")
  const sources = fs
    .readdirSync(packages)
    .map((p) => path.join(packages, p, "src"))
    .filter((d) => fs.existsSync(d))
  const built = fs.existsSync(builtBinary) ? fs.statSync(builtBinary).mtimeMs : 0
  const bundler = path.join(repoRoot, "packages/app/scripts/bundle.mjs")
  if (Math.max(fs.statSync(bundler).mtimeMs, ...sources.map(newestSource)) > built)
    execFileSync(process.execPath, [bundler], { cwd: path.join(repoRoot, "packages/app"), stdio: "inherit" })
}
