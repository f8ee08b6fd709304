/**
 * Colour on the terminal only: @effect/cli renders help and usage errors with ANSI
 * escapes, and the pretty logger colours its lines. When the stream is not a terminal,
 * or `NO_COLOR` is set (https://no-color.org), the escapes are removed on the way out, so
 * a pipe, a file or a log collector gets plain text whatever printed it.
 */
import { Console as NodeConsole } from "node:console"
import { Console, Effect } from "effect"

/** CSI sequences (colours, cursor moves): ESC [ parameters intermediates final. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g

/** `text` without ANSI escape sequences. */
export const stripAnsi = (text: string): string => text.replace(CSI, "")

/** Whether `stream` may receive colour, under `env`'s NO_COLOR. */
export const colourFor = (
  stream: { readonly isTTY?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env
): boolean => stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "")

interface Writable {
  write(chunk: string | Uint8Array, ...rest: Array<unknown>): boolean
}

/** Writes straight through (no buffering, so nothing is lost at exit), escapes removed. */
const plain = (target: Writable): Writable => ({
  write: (chunk, ...rest) =>
    target.write(
      typeof chunk === "string" ? stripAnsi(chunk) : stripAnsi(Buffer.from(chunk).toString("utf8")),
      ...rest
    )
})

/** An Effect `Console` over a Node console: every method runs the Node one. */
const fromNode = (c: globalThis.Console): Console.Console => {
  const lift =
    <K extends keyof globalThis.Console>(k: K) =>
    (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => (c[k] as (...a: ReadonlyArray<unknown>) => void)(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: lift("assert"),
    clear: Effect.sync(() => c.clear()),
    count: lift("count"),
    countReset: lift("countReset"),
    debug: lift("debug"),
    dir: lift("dir"),
    dirxml: lift("dirxml"),
    error: lift("error"),
    group: (options) =>
      Effect.sync(() => (options?.collapsed ? c.groupCollapsed(options.label) : c.group(options?.label))),
    groupEnd: Effect.sync(() => c.groupEnd()),
    info: lift("info"),
    log: lift("log"),
    table: lift("table"),
    time: lift("time"),
    timeEnd: lift("timeEnd"),
    timeLog: lift("timeLog"),
    trace: lift("trace"),
    warn: lift("warn"),
    unsafe: c
  }
}

/**
 * The console the binary runs with: stdout and stderr each keep their escapes only when
 * `colourFor` allows it.
 */
export const terminalConsole = (
  env: Readonly<Record<string, string | undefined>> = process.env
): Console.Console => {
  const out = colourFor(process.stdout, env)
  const err = colourFor(process.stderr, env)
  if (out && err) return fromNode(globalThis.console)
  return fromNode(
    new NodeConsole({
      stdout: (out ? process.stdout : plain(process.stdout)) as NodeJS.WritableStream,
      stderr: (err ? process.stderr : plain(process.stderr)) as NodeJS.WritableStream,
      ignoreErrors: false,
      colorMode: false
    })
  )
}
