/**
 * The demo's output: lines for what happens (orders, fills, faults), and one status line
 * while it waits for the late expiries. On a terminal the status line is redrawn in place
 * (carriage return and erase-line) and cleared before any other line; anywhere else (a
 * pipe, a file, CI) there are no escape codes: the status is a plain line, printed when
 * what it says changes and otherwise every few seconds.
 */
import { Console, Effect } from "effect"

/** How often a non-terminal gets the same status again, so a log shows the demo alive. */
const PLAIN_REPEAT_MS = 5_000

export interface DemoOutput {
  /** Prints one line (clearing the status line first, on a terminal). */
  readonly line: (text: string) => Effect.Effect<void>
  /**
   * Shows `text` as the current status; `key` is what it says without the clock, so a
   * non-terminal prints it again only when `key` changed or a while has passed.
   */
  readonly status: (text: string, key: string) => Effect.Effect<void>
  /** Removes the status line (on a terminal), before the summary. */
  readonly endStatus: Effect.Effect<void>
}

/** Output on `stream`: redrawn in place when it is a terminal, plain lines otherwise. */
export const makeDemoOutput = (
  stream: { readonly isTTY?: boolean | undefined; write(text: string): boolean } = process.stdout,
  now: () => number = Date.now
): DemoOutput => {
  const interactive = stream.isTTY === true
  let shown = false
  let lastKey: string | undefined
  let lastAt = 0
  const clear = () => {
    if (shown) stream.write("\r\x1b[K")
    shown = false
  }
  return {
    line: (text) =>
      Effect.suspend(() => {
        clear()
        return Console.log(text)
      }),
    status: (text, key) =>
      Effect.suspend(() => {
        if (interactive) {
          clear()
          stream.write(text)
          shown = true
          return Effect.void
        }
        if (key === lastKey && now() - lastAt < PLAIN_REPEAT_MS) return Effect.void
        lastKey = key
        lastAt = now()
        stream.write(`${text}\n`)
        return Effect.void
      }),
    endStatus: Effect.sync(clear)
  }
}
