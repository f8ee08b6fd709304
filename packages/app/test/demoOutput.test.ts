/** The demo's status line: redrawn in place on a terminal, plain and sparing anywhere else. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { makeDemoOutput } from "../src/demo/demoOutput.js"

const sink = (isTTY: boolean) => {
  const written: Array<string> = []
  return { stream: { isTTY, write: (t: string) => written.push(t) > 0 }, written }
}

describe("demo output", () => {
  it("on a terminal, each status replaces the last in place, and a line clears it first", async () => {
    const { stream, written } = sink(true)
    const out = makeDemoOutput(stream)
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* out.status("waiting 1", "a")
        yield* out.status("waiting 2", "a")
        yield* out.line("a fill")
        yield* out.endStatus
      })
    )
    expect(written).toEqual(["waiting 1", "\r\x1b[K", "waiting 2", "\r\x1b[K"])
  })

  it("elsewhere, no escape: a status line when it changes, the same one again only after a while", async () => {
    const { stream, written } = sink(false)
    let now = 0
    const out = makeDemoOutput(stream, () => now)
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* out.status("3 open: 0 s", "3")
        now = 1_000
        yield* out.status("3 open: 1 s", "3")
        yield* out.status("2 open: 1 s", "2")
        now = 7_000
        yield* out.status("2 open: 7 s", "2")
        yield* out.line("a fill")
        yield* out.endStatus
      })
    )
    expect(written).toEqual(["3 open: 0 s\n", "2 open: 1 s\n", "2 open: 7 s\n"])
  })
})
