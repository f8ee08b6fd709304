/**
 * `--help` of every command, rendered in-process as the binary renders it, and the README's
 * configuration table held to the settings and the flags.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { executionStates } from "@fill-tracker/store"
import { describe, expect, it } from "vitest"
import { root, VERSION } from "../src/cli/cli.js"
import { commandPaths, helpText, wantsHelp } from "../src/cli/help.js"
import { colourFor, stripAnsi } from "../src/cli/terminal.js"
import { settings } from "../src/config/settings.js"
import { repoRoot } from "./child.js"

const help = (commandPath: string) =>
  stripAnsi(helpText(root, VERSION, [...commandPath.split(" ").slice(1), "--help"]))

/** Each option of an OPTIONS section: its heading line and the text under it. */
const optionBlocks = (text: string): ReadonlyArray<{ heading: string; body: ReadonlyArray<string> }> => {
  const section = text.split("\nOPTIONS\n")[1]?.split("\nCOMMANDS\n")[0] ?? ""
  const blocks: Array<{ heading: string; body: Array<string> }> = []
  for (const line of section.split("\n")) {
    if (line.startsWith("--") || line.startsWith("(-")) blocks.push({ heading: line, body: [] })
    else if (line.trim() !== "") blocks.at(-1)?.body.push(line.trim())
  }
  return blocks
}

describe("--help", () => {
  const paths = commandPaths(root)

  it("covers every command, the groups included", () => {
    expect(paths).toEqual(
      expect.arrayContaining(["fill-tracker", "fill-tracker auth", "fill-tracker auth login"])
    )
    expect(paths.length).toBeGreaterThanOrEqual(10)
  })

  it.each(commandPaths(root))("%s: usage with the full path, every option described", (commandPath) => {
    const text = help(commandPath)
    expect(text.split("\n")[0]).toBe(commandPath)
    expect(text).toMatch(new RegExp(`\\n\\$ ${commandPath}( |$)`, "m"))
    expect(text).not.toContain("A user-defined piece of text")
    expect(text).not.toContain("A true or false value")
    // A value is named for what it is (duration, url, file|url, ...), never plain "text".
    expect(text).not.toMatch(/--[a-z-]+ text\b/)
    const blocks = optionBlocks(text)
    expect(blocks.length).toBeGreaterThan(0)
    for (const b of blocks) {
      const described = b.body.filter((l) => !l.startsWith("This setting is optional"))
      expect(described, `${commandPath} ${b.heading}`).not.toEqual([])
    }
  })

  it("lists subcommands by their full path with their description", () => {
    const text = help("fill-tracker auth")
    expect(text).toContain("$ fill-tracker auth <command>")
    expect(text).toMatch(/^fill-tracker auth login +Exchange an authorization code/m)
    expect(help("fill-tracker")).toMatch(/^fill-tracker status +A table of executions/m)
  })

  it("names durations and enums as such", () => {
    const run = help("fill-tracker run")
    expect(run).toContain("--order-polling-interval duration")
    expect(run).toContain("--fresh-order-poll-offsets durations")
    expect(run).toContain("--log-format json | pretty")
    const status = help("fill-tracker status")
    expect(status).toContain(`--state ${executionStates.join(" | ")}`)
    expect(status).toContain("--status PENDING | SUBMITTED | FILLED | FAILED")
    expect(status).toContain("--interval duration")
  })

  it("is asked for by --help or -h before any --", () => {
    expect(wantsHelp(["status", "--help"])).toBe(true)
    expect(wantsHelp(["-h"])).toBe(true)
    expect(wantsHelp(["status", "--json"])).toBe(false)
    expect(wantsHelp(["show", "--", "--help"])).toBe(false)
  })
})

describe("colour", () => {
  it("only on a terminal, and never with NO_COLOR set", () => {
    expect(colourFor({ isTTY: true }, {})).toBe(true)
    expect(colourFor({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
    expect(colourFor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    expect(colourFor({ isTTY: false }, {})).toBe(false)
    expect(colourFor({}, {})).toBe(false)
  })

  it("stripAnsi removes colour and cursor sequences and nothing else", () => {
    expect(stripAnsi("\u001b[0;1m--json\u001b[0m ok \u001b[2K\u001b[1Gdone")).toBe("--json ok done")
    expect(stripAnsi("[not an escape] 100%")).toBe("[not an escape] 100%")
  })
})

describe("the README's configuration table", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
  const rows = readme
    .split("## Configuration")[1]!
    .split("\n## ")[0]!
    .split("\n")
    .filter((l) => /^\| `[A-Z_]+` \|/.test(l))
    .map((l) => l.split("|").map((c) => c.trim()))
    .map(([, env, flag, dflt]) => ({
      env: env!.replaceAll("`", ""),
      flag: flag!.replaceAll("`", ""),
      dflt: dflt!
    }))

  it("has one row per setting, with its environment variable and flag", () => {
    const fromSettings = Object.values(settings).map((s) => ({ env: s.env, flag: `--${s.flag}` }))
    expect(rows.map(({ env, flag }) => ({ env, flag }))).toEqual(expect.arrayContaining(fromSettings))
    expect(rows).toHaveLength(fromSettings.length)
  })

  it("gives each default as the settings do", () => {
    for (const s of Object.values(settings) as ReadonlyArray<{ env: string; default?: string }>) {
      const row = rows.find((r) => r.env === s.env)!
      if (s.default !== undefined && s.default !== "") expect(row.dflt, s.env).toBe(`\`${s.default}\``)
    }
  })

  it("every flag of the table is a flag of `run`", () => {
    const run = help("fill-tracker run")
    for (const r of rows) expect(run, r.flag).toMatch(new RegExp(`^${r.flag}\\b`, "m"))
  })
})
