/**
 * `--completions bash`, with @effect/cli's script repaired for a hyphenated program name.
 *
 * @effect/cli 0.77 writes the bash script's command keys with each `-` as `__`
 * (`fill__tracker,status`) but sets the first key from the program name as typed
 * (`cmd="fill-tracker"`), so after the first word no key matches and no subcommand or
 * option completes (Effect-TS/effect#6114, open). Spelling the program's own key the same
 * way as the others makes the script consistent; nothing else in it changes.
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"

/** The shell `args` ask completions for, when the whole command line is `--completions SHELL`. */
export const wantsBashCompletions = (args: ReadonlyArray<string>): boolean =>
  args.length === 2 && args[0] === "--completions" && args[1] === "bash"

/** The bash script with the program's key spelled as the script's other keys spell it. */
export const repairBashScript = (script: string, programName: string): string => {
  const key = programName.replaceAll("-", "__")
  if (key === programName) return script
  return script
    .replace(`cmd="${programName}"`, `cmd="${key}"`)
    .replace(new RegExp(`^(\\s+)${programName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)$`, "m"), `$1${key})`)
}

/** The bash completion script of `command`, installed under `programName`. */
export const bashCompletions = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
  programName: string
) =>
  Effect.map(Command.getBashCompletions(command, programName), (lines) =>
    repairBashScript(lines.join("\n"), programName)
  )
