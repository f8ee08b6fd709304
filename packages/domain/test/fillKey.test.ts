import { describe, expect, it } from "vitest"
import { disambiguate, fillKey } from "../src/fillKey.js"
import { execLeg } from "./testing/build.js"

describe("fillKey", () => {
  const leg = execLeg({ legId: "1", quantity: "3.0", price: "22.7299", time: "17:15:18" }, 1)

  it("is activityId:index when Schwab gives an activityId", () => {
    expect(fillKey({ activityId: "36518362511" }, leg)).toBe("36518362511:1")
  })

  it("is derived from the leg's own contents otherwise, canonical decimals included", () => {
    expect(fillKey({}, leg)).toBe("leg=1;t=2025-08-29T17:15:18.000Z;q=3;p=22.7299;i=1")
    expect(fillKey({}, execLeg({ quantity: "1", price: "1" }))).toBe("leg=-;t=-;q=1;p=1;i=0")
  })

  it("does not collapse two executions of the same order leg", () => {
    const other = execLeg({ legId: "1", quantity: "2", price: "22.73", time: "17:15:19" }, 1)
    expect(fillKey({}, other)).not.toBe(fillKey({}, leg))
  })

  it("numbers identical derived keys apart and leaves Schwab's keys alone", () => {
    expect(disambiguate(["leg=a", "9:0", "leg=a", "9:0", "leg=b", "leg=a"])).toEqual([
      "leg=a",
      "9:0",
      "leg=a#2",
      "9:0",
      "leg=b",
      "leg=a#3"
    ])
  })
})
