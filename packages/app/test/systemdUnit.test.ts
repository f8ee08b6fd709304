/**
 * The systemd unit shipped in deploy/: it runs the built binary, keeps the usual hardening,
 * and `systemd-analyze verify` accepts it (on machines that have systemd-analyze; the
 * directive checks run everywhere).
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { builtBinary, repoRoot } from "./child.js"
import { tempDir } from "./support.js"

const unitFile = path.join(repoRoot, "packages/app/deploy/fill-tracker.service")
const unit = fs.readFileSync(unitFile, "utf8")

/** Every value a directive has in the unit (systemd allows repeats). */
const directive = (name: string): ReadonlyArray<string> =>
  unit
    .split("\n")
    .filter((l) => l.startsWith(`${name}=`))
    .map((l) => l.slice(name.length + 1))

const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"], { stdio: "ignore" }).status === 0

describe("deploy/fill-tracker.service", () => {
  it("runs the binary's `run` and leaves it time to stop on SIGTERM", () => {
    expect(directive("ExecStart")).toEqual(["/usr/local/bin/fill-tracker run"])
    expect(directive("KillSignal")).toEqual(["SIGTERM"])
    // More than the default SHUTDOWN_GRACE (10s), so systemd does not SIGKILL an orderly stop.
    expect(Number(directive("TimeoutStopSec")[0])).toBeGreaterThan(10)
    expect(directive("RestartPreventExitStatus")).toEqual(["2"])
  })

  it("is hardened: no new privileges, a read-only system, its state directory the only writable path", () => {
    for (const [name, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["PrivateDevices", "yes"],
      ["DynamicUser", "yes"],
      ["CapabilityBoundingSet", ""],
      ["StateDirectory", "fill-tracker"],
      ["ReadWritePaths", "/var/lib/fill-tracker"]
    ] as const)
      expect(directive(name), name).toEqual([value])
    expect(directive("Environment")).toContain("FILL_TRACKER_DATABASE=/var/lib/fill-tracker/fill-tracker.db")
    expect(directive("SystemCallFilter")).toContain("@system-service")
  })

  it(`systemd-analyze verify accepts it${hasSystemdAnalyze ? "" : " (systemd-analyze absent: not run here)"}`, () => {
    if (!hasSystemdAnalyze) return
    // verify checks that ExecStart's program exists: point it at this checkout's binary, and
    // make the secrets file optional, as neither is installed here.
    const dir = tempDir("systemd")
    try {
      const local = unit
        .replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} ${builtBinary} run`)
        .replace(/^EnvironmentFile=/m, "EnvironmentFile=-")
      const file = path.join(dir, "fill-tracker.service")
      fs.writeFileSync(file, local)
      const out = execFileSync("systemd-analyze", ["verify", file], { encoding: "utf8", stdio: "pipe" })
      expect(out).toBe("")
      // And it does fail on a unit it should refuse: the binary missing.
      fs.writeFileSync(file, unit.replace(/^ExecStart=.*$/m, `ExecStart=${dir}/missing run`))
      expect(spawnSync("systemd-analyze", ["verify", file]).status).not.toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
