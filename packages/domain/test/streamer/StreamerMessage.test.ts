import fc from "fast-check"
import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { decodeStreamerMessage, type StreamerItem } from "../../src/index.js"
import { numRuns } from "../schwab/arbitraries.js"

const items = (text: string): ReadonlyArray<StreamerItem> => {
  const r = decodeStreamerMessage(text)
  if (E.isLeft(r)) throw new Error(r.left.message)
  return r.right
}

describe("decodeStreamerMessage", () => {
  it("reads the real frames of streamer.md §3", () => {
    expect(
      items(
        '{"response":[{"service":"ACCT_ACTIVITY","command":"SUBS","requestid":"0","SchwabClientCorrelId":"x","timestamp":1720711861064,"content":{"code":0,"msg":"SUBS command succeeded"}}]}'
      )
    ).toEqual([
      {
        _tag: "Response",
        service: "ACCT_ACTIVITY",
        command: "SUBS",
        requestId: "0",
        code: 0,
        msg: "SUBS command succeeded"
      }
    ])
    expect(
      items(
        '{"data":[{"service":"ACCT_ACTIVITY", "timestamp":1720711861088,"command":"SUBS","content":[{"seq":0,"key":"Account Activity","1":"","2":"SUBSCRIBED","3":""}]}]}'
      )
    ).toEqual([
      {
        _tag: "Data",
        service: "ACCT_ACTIVITY",
        command: "SUBS",
        timestamp: 1720711861088,
        content: [expect.objectContaining({ "2": "SUBSCRIBED" })]
      }
    ])
    expect(items('{"notify":[{"heartbeat":"1720711872461"}]}')).toEqual([
      { _tag: "Heartbeat", timestamp: 1720711872461 }
    ])
    expect(
      items(
        '{"notify":[{"service":"Invalid Service","timestamp":1721742729458,"content":{"code":12,"msg":"This Streamer was disconnected because of another connection for this username and password. Each user may only have one connection open at a time."}}]}'
      )
    ).toEqual([
      {
        _tag: "Notice",
        service: "Invalid Service",
        code: 12,
        msg: expect.stringContaining("another connection")
      }
    ])
    expect(
      items(
        '{"response":[{"service":"ADMIN","command":"LOGIN","requestid":"1","content":{"code":3,"msg":"Login Denied.: token is invalid or has expired."}}]}'
      )
    ).toEqual([
      {
        _tag: "Response",
        service: "ADMIN",
        command: "LOGIN",
        requestId: "1",
        code: 3,
        msg: expect.stringContaining("Denied")
      }
    ])
  })

  it("keeps every item of a message in order, across kinds", () => {
    const read = items(
      '{"notify":[{"heartbeat":"1"},{"heartbeat":"2"}],"data":[{"service":"X","content":[]}]}'
    )
    expect(read.map((i) => i._tag)).toEqual(["Heartbeat", "Heartbeat", "Data"])
  })

  it("turns unknown kinds and misshapen items into Unknown items that say why", () => {
    expect(items('{"snapshot":[{}]}')).toEqual([
      { _tag: "Unknown", kind: "snapshot", reason: "unknown message kind" }
    ])
    expect(items('{"response":{"a":1}}')).toEqual([
      { _tag: "Unknown", kind: "response", reason: "response is not an array" }
    ])
    expect(items('{"response":[{"service":"ADMIN","command":"LOGIN"}]}')).toEqual([
      { _tag: "Unknown", kind: "response", reason: "no content.code" }
    ])
    expect(items('{"notify":[{"heartbeat":"soon"}]}')).toEqual([
      { _tag: "Unknown", kind: "notify", reason: "heartbeat is not epoch milliseconds" }
    ])
    expect(items('{"data":[{"service":"ACCT_ACTIVITY","content":"x"}]}')).toEqual([
      { _tag: "Unknown", kind: "data", reason: "content is not an array" }
    ])
    expect(items('{"data":[7]}')).toEqual([
      { _tag: "Unknown", kind: "data", reason: "item is not an object" }
    ])
    // A `__proto__` key is dropped when the frame is parsed (LosslessJson.ts): nothing to read.
    expect(items('{"__proto__":[1]}')).toEqual([])
    expect(items('{"__proto__":{"data":[7]}}')).toEqual([])
  })

  it("is an error, not a throw, for text that is not a JSON object", () => {
    for (const text of ["", "{", "[]", "7", "null", '"x"'])
      expect(E.isLeft(decodeStreamerMessage(text)), text).toBe(true)
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        decodeStreamerMessage(text)
      }),
      { numRuns }
    )
  })
})
