import { WebSocket } from "ws"
import type { Sandbox } from "../src/index.js"

/** A parsed frame from the sandbox streamer. */
export type Frame = Record<string, ReadonlyArray<Record<string, unknown>>>

/** One ACCT_ACTIVITY content item with its `"3"` parsed when it is JSON. */
export interface Item {
  readonly seq: number
  readonly key: string
  readonly "1": string
  readonly "2": string
  readonly "3": string
}

/**
 * A plain `ws` client that records every frame, for tests: no reconnects, no
 * dedupe, nothing clever, so the tests see exactly what the sandbox sends.
 */
export class TestClient {
  readonly frames: Array<Frame> = []
  readonly texts: Array<string> = []
  closed: { code: number } | undefined
  private requestId = 0
  private waiters: Array<() => void> = []

  private constructor(
    readonly ws: WebSocket,
    readonly sandbox: Sandbox
  ) {
    ws.on("message", (data) => {
      const text = data.toString()
      this.texts.push(text)
      this.frames.push(JSON.parse(text) as Frame)
      this.wake()
    })
    ws.on("close", (code) => {
      this.closed = { code }
      this.wake()
    })
    ws.on("error", () => this.wake())
  }

  static async connect(sandbox: Sandbox, url = sandbox.streamer.url): Promise<TestClient> {
    const ws = new WebSocket(url)
    const client = new TestClient(ws, sandbox)
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve())
      ws.once("error", reject)
    })
    return client
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }

  /** Waits until `check` holds over what has arrived (no timing: the test timeout bounds it). */
  async until<A>(check: () => A | undefined | false): Promise<A> {
    for (;;) {
      const value = check()
      if (value !== undefined && value !== false) return value
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  request(
    service: string,
    command: string,
    parameters?: Record<string, unknown>,
    overrides: Record<string, unknown> = {}
  ): string {
    const requestid = String(++this.requestId)
    const info = this.sandbox.streamer.info
    this.ws.send(
      JSON.stringify({
        requests: [
          {
            service,
            command,
            requestid,
            SchwabClientCustomerId: info.schwabClientCustomerId,
            SchwabClientCorrelId: info.schwabClientCorrelId,
            ...(parameters === undefined ? {} : { parameters }),
            ...overrides
          }
        ]
      })
    )
    return requestid
  }

  login(token: string): string {
    const info = this.sandbox.streamer.info
    return this.request("ADMIN", "LOGIN", {
      Authorization: token,
      SchwabClientChannel: info.schwabClientChannel,
      SchwabClientFunctionId: info.schwabClientFunctionId
    })
  }

  subscribe(keys = "Account Activity"): string {
    return this.request("ACCT_ACTIVITY", "SUBS", { keys, fields: "0,1,2,3" })
  }

  /** The response to `requestid`, once it arrives. */
  response(requestid: string): Promise<Record<string, unknown>> {
    return this.until(() => this.responses().find((response) => response.requestid === requestid))
  }

  responses(): ReadonlyArray<Record<string, unknown>> {
    return this.frames.flatMap((frame) => frame.response ?? [])
  }

  notifies(): ReadonlyArray<Record<string, unknown>> {
    return this.frames.flatMap((frame) => frame.notify ?? [])
  }

  items(): ReadonlyArray<Item> {
    return this.frames.flatMap((frame) =>
      (frame.data ?? []).flatMap((data) => (data.content as ReadonlyArray<Item> | undefined) ?? [])
    )
  }

  /** Items of real activity (not the SUBSCRIBED ack). */
  activity(): ReadonlyArray<Item> {
    return this.items().filter((item) => item["2"] !== "SUBSCRIBED")
  }

  /** Logs in with a fresh token and subscribes; resolves once SUBSCRIBED arrived. */
  async ready(): Promise<void> {
    const login = this.login(this.sandbox.authorize().accessToken)
    expectCode(await this.response(login), 0)
    this.subscribe()
    await this.until(() => this.items().some((item) => item["2"] === "SUBSCRIBED"))
  }

  close(): void {
    this.ws.terminate()
  }
}

export const codeOf = (response: Record<string, unknown>): number =>
  (response.content as { code: number }).code

const expectCode = (response: Record<string, unknown>, code: number): void => {
  if (codeOf(response) !== code) throw new Error(`expected code ${code}: ${JSON.stringify(response)}`)
}

/** Field `"3"` parsed. */
export const body = (item: Item): Record<string, unknown> => JSON.parse(item["3"]) as Record<string, unknown>

/** `BaseEvent.<the event's key>` of an item's body. */
export const event = (item: Item): Record<string, unknown> => {
  const base = body(item).BaseEvent as Record<string, unknown>
  const key = Object.keys(base).find((name) => name !== "EventType") ?? ""
  return base[key] as Record<string, unknown>
}
