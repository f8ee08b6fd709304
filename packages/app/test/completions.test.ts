/**
 * The bash completions the README tells an operator to load: the built binary's script,
 * sourced in a real bash, completes commands, subcommands and options (the script as
 * @effect/cli writes it completes nothing past the first word, see src/cli/completions.ts).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { builtBinary, startNode } from "./child.js"
import { tempDir } from "./support.js"

const hasBash = (() => {
  try {
    execFileSync("bash", ["-c", "true"])
    return true
  } catch {
    return false
  }
})()

describe.runIf(hasBash)("bash completions", () => {
  let dir: string
  let script: string
  beforeAll(async () => {
    dir = tempDir("completions")
    const r = await startNode([builtBinary, "--completions", "bash"]).done
    expect(r.code).toBe(0)
    script = path.join(dir, "fill-tracker.bash")
    fs.writeFileSync(script, r.stdout)
  })
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** What bash offers for the words typed so far (the last one is being completed). */
  const complete = (...words: ReadonlyArray<string>): ReadonlyArray<string> => {
    const quoted = words.map((w) => `'${w}'`).join(" ")
    const out = execFileSync(
      "bash",
      [
        "-c",
        `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; ` +
          `_fill-tracker_bash_completions fill-tracker "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"; ` +
          `printf '%s\\n' "\${COMPREPLY[@]}"`,
        "bash",
        script
      ],
      { encoding: "utf8" }
    )
    return out.split("\n").filter((l) => l !== "")
  }

  it("completes commands, subcommands and options of a subcommand", () => {
    expect(complete("fill-tracker", "sta")).toEqual(["status"])
    expect(complete("fill-tracker", "auth", "lo")).toEqual(["login"])
    expect(complete("fill-tracker", "status", "--wa")).toEqual(["--watch"])
    expect(complete("fill-tracker", "show", "--fol")).toEqual(["--follow"])
    expect(complete("fill-tracker", "run", "--fresh")).toEqual(["--fresh-order-poll-offsets"])
    expect(complete("fill-tracker", "place", "--order-t")).toEqual(["--order-type"])
    expect(complete("fill-tracker", "place", "--stop")).toEqual(["--stop-price"])
    expect(complete("fill-tracker", "replace", "--sess")).toEqual(["--session"])
  })
})
