import * as E from "fp-ts/lib/Either.js"
import { describe, expect, it } from "vitest"
import { decodeStreamerInfo } from "../../src/index.js"

const info = {
  streamerSocketUrl: "wss://streamer-api.schwab.com/ws",
  schwabClientCustomerId: "cust-123456",
  schwabClientCorrelId: "a1b2c3d4-0000-1111-2222-333344445555",
  schwabClientChannel: "N9",
  schwabClientFunctionId: "APIAPP"
}
const expected = {
  socketUrl: info.streamerSocketUrl,
  customerId: info.schwabClientCustomerId,
  correlId: info.schwabClientCorrelId,
  channel: "N9",
  functionId: "APIAPP"
}

describe("decodeStreamerInfo", () => {
  it("reads the real shape (one object) and the spec's (an array of preferences)", () => {
    const accounts = [{ accountNumber: "...", primaryAccount: true }]
    expect(decodeStreamerInfo(JSON.stringify({ accounts, streamerInfo: [info], offers: [] }))).toEqual(
      E.right(expected)
    )
    expect(decodeStreamerInfo(JSON.stringify([{ accounts, streamerInfo: [info] }]))).toEqual(
      E.right(expected)
    )
  })

  it("fields under __proto__ or constructor keys are not read as the streamer's", () => {
    const smuggled = `{"streamerInfo": [{"__proto__": ${JSON.stringify(info)}}]}`
    expect(decodeStreamerInfo(smuggled)).toMatchObject(E.left({ path: "streamerInfo.0.streamerSocketUrl" }))
    const { streamerSocketUrl: _, ...rest } = info
    const partly = `{"streamerInfo": [{"constructor": {"prototype": {"streamerSocketUrl": "wss://evil.example/ws"}}, "__proto__": {"streamerSocketUrl": "wss://evil.example/ws"}, ${JSON.stringify(rest).slice(1, -1)}}]}`
    expect(decodeStreamerInfo(partly)).toMatchObject(E.left({ path: "streamerInfo.0.streamerSocketUrl" }))
    const beside = `{"__proto__": {"streamerInfo": []}, "streamerInfo": [${JSON.stringify(info).slice(0, -1)}, "__proto__": {"streamerSocketUrl": "wss://evil.example/ws"}}]}`
    expect(decodeStreamerInfo(beside)).toEqual(E.right(expected))
  })

  it("names the field that is wrong and never quotes an id", () => {
    const wrong = (body: unknown) => {
      const r = decodeStreamerInfo(JSON.stringify(body))
      if (E.isRight(r)) throw new Error("expected a failure")
      expect(r.left.message).not.toContain("cust-123456")
      return r.left
    }
    expect(wrong({ streamerInfo: [] })).toMatchObject({
      path: "streamerInfo",
      message: expect.stringContaining("cannot stream")
    })
    expect(wrong({})).toMatchObject({ path: "streamerInfo" })
    expect(wrong([{}])).toMatchObject({ path: "0.streamerInfo" })
    expect(wrong({ streamerInfo: [7] })).toMatchObject({ path: "streamerInfo.0" })
    expect(wrong({ streamerInfo: [{ ...info, schwabClientCorrelId: "" }] })).toMatchObject({
      path: "streamerInfo.0.schwabClientCorrelId"
    })
    expect(wrong({ streamerInfo: [{ ...info, schwabClientChannel: 9 }] })).toMatchObject({
      path: "streamerInfo.0.schwabClientChannel"
    })
    expect(wrong({ streamerInfo: [{ ...info, streamerSocketUrl: "https://x/ws" }] })).toMatchObject({
      path: "streamerInfo.0.streamerSocketUrl"
    })
    expect(E.isLeft(decodeStreamerInfo("{"))).toBe(true)
  })
})
