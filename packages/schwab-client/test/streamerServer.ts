/**
 * A small real WebSocket streamer on 127.0.0.1 (`ws`), speaking the protocol of
 * streamer.md: it answers ADMIN LOGIN (code 0 for an accepted token, 3 otherwise) and
 * ACCT_ACTIVITY SUBS (code 0 and a SUBSCRIBED item, seq 0), and the test then pushes
 * captured frames, heartbeats, the code-12 takeover or a dropped connection. Every request
 * it receives is kept for assertions.
 */
import { acctActivitySamples, sampleMessage } from "@fill-tracker/domain/testing"
import { type WebSocket, WebSocketServer } from "ws"

export interface Received {
  readonly service: string
  readonly command: string
  readonly requestid: unknown
  readonly SchwabClientCustomerId: string
  readonly SchwabClientCorrelId: string
  readonly parameters: Record<string, unknown>
}

export interface StreamerServer {
  readonly url: string
  readonly received: Array<Received>
  /** Connections opened so far. */
  readonly connections: () => number
  /** Tokens LOGIN accepts (others get code 3). */
  readonly accept: Set<string>
  /** Sends raw text to the newest connection. */
  readonly send: (text: string) => void
  readonly heartbeat: () => void
  /** The next ACCT_ACTIVITY item with this seq (default: one after the last sent) from a sample. */
  readonly sample: (index: number, seq?: number) => void
  readonly takeOver: () => void
  readonly drop: () => void
  /** Stops answering SUBS (to test the answer timeout). */
  silentSubs: boolean
  readonly close: () => Promise<void>
}

export const CUSTOMER_ID = "customer-9f8e7d"
export const CORREL_ID = "correl-1a2b3c4d"

export const streamerInfoFor = (url: string) => ({
  streamerSocketUrl: url,
  schwabClientCustomerId: CUSTOMER_ID,
  schwabClientCorrelId: CORREL_ID,
  schwabClientChannel: "N9",
  schwabClientFunctionId: "APIAPP"
})

const response = (r: Received, code: number, msg: string) =>
  JSON.stringify({
    response: [
      {
        service: r.service,
        command: r.command,
        requestid: String(r.requestid),
        SchwabClientCorrelId: r.SchwabClientCorrelId,
        timestamp: Date.now(),
        content: { code, msg }
      }
    ]
  })

export const startStreamerServer = async (): Promise<StreamerServer> => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 })
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()))
  const address = wss.address()
  if (address === null || typeof address === "string") throw new Error("expected a TCP address")
  const samples = acctActivitySamples()
  const received: Array<Received> = []
  let current: WebSocket | undefined
  let opened = 0
  let seq = 0
  const server: StreamerServer = {
    url: `ws://127.0.0.1:${address.port}/ws`,
    received,
    connections: () => opened,
    accept: new Set(),
    send: (text) => current?.send(text),
    heartbeat: () => current?.send(JSON.stringify({ notify: [{ heartbeat: String(Date.now()) }] })),
    sample: (index, at) => {
      const s = samples[index]
      if (s === undefined) throw new Error(`no sample ${index}`)
      seq = at ?? seq + 1
      current?.send(sampleMessage(s, seq))
    },
    takeOver: () =>
      current?.send(
        JSON.stringify({
          notify: [
            {
              service: "Invalid Service",
              timestamp: Date.now(),
              content: {
                code: 12,
                msg: "This Streamer was disconnected because of another connection for this username and password. Each user may only have one connection open at a time."
              }
            }
          ]
        })
      ),
    drop: () => current?.terminate(),
    silentSubs: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close(() => resolve())
      })
  }
  wss.on("connection", (ws) => {
    opened += 1
    current = ws
    ws.on("message", (data) => {
      const message = JSON.parse(String(data)) as { requests?: Array<Received> } & Received
      for (const r of message.requests ?? [message]) {
        received.push(r)
        if (r.service === "ADMIN" && r.command === "LOGIN") {
          const ok = server.accept.has(String(r.parameters.Authorization))
          ws.send(
            ok
              ? response(r, 0, "server=s0634dc6-3;status=NP")
              : response(r, 3, "Login Denied.: token is invalid or has expired.")
          )
          if (!ok) ws.close(1000)
        } else if (r.service === "ACCT_ACTIVITY" && r.command === "SUBS" && !server.silentSubs) {
          seq = 0
          ws.send(response(r, 0, "SUBS command succeeded"))
          ws.send(
            JSON.stringify({
              data: [
                {
                  service: "ACCT_ACTIVITY",
                  timestamp: Date.now(),
                  command: "SUBS",
                  content: [{ seq: 0, key: "Account Activity", "1": "", "2": "SUBSCRIBED", "3": "" }]
                }
              ]
            })
          )
        }
      }
    })
  })
  return server
}
