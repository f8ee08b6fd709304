/**
 * The streamer's three top-level frames as text (shared/schwab/streamer.md §3):
 * `response` answers a request, `notify` carries heartbeats and status, `data` the
 * account activity. Content items are written key by key so `seq` and `key` come
 * first, as on the wire (a JS object would put `"1"`–`"3"` first).
 *
 * @since 0.1.0
 */

/** Schwab's response codes that the sandbox sends (G §1.4). @since 0.1.0 @category models */
export const Code = {
  success: 0,
  loginDenied: 3,
  serviceNotAvailable: 11,
  closeConnection: 12,
  streamConnNotFound: 20,
  badCommandFormat: 21,
  stopStreaming: 30
} as const

export const responseFrame = (
  request: { readonly service: string; readonly command: string; readonly requestid: string },
  correlId: string,
  at: number,
  code: number,
  msg: string
): string =>
  JSON.stringify({
    response: [
      {
        service: request.service,
        command: request.command,
        requestid: request.requestid,
        SchwabClientCorrelId: correlId,
        timestamp: at,
        content: { code, msg }
      }
    ]
  })

export const heartbeatFrame = (at: number): string => JSON.stringify({ notify: [{ heartbeat: String(at) }] })

/** A status `notify`, e.g. the code-12 kick-off, which arrives under service "Invalid Service". */
export const statusFrame = (service: string, at: number, code: number, msg: string): string =>
  JSON.stringify({ notify: [{ service, timestamp: at, content: { code, msg } }] })

/** One ACCT_ACTIVITY content item; `"3"` is already a string (JSON text or plain text). */
export interface ContentItem {
  readonly seq: number
  readonly key: string
  readonly account: string
  readonly type: string
  readonly data: string
}

const itemText = (item: ContentItem): string =>
  `{"seq":${item.seq},"key":${JSON.stringify(item.key)},"1":${JSON.stringify(item.account)},"2":${JSON.stringify(item.type)},"3":${JSON.stringify(item.data)}}`

export const dataFrame = (at: number, items: ReadonlyArray<ContentItem>): string =>
  `{"data":[{"service":"ACCT_ACTIVITY","timestamp":${at},"command":"SUBS","content":[${items.map(itemText).join(",")}]}]}`
