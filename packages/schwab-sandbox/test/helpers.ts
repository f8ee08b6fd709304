import type { Sandbox } from "../src/index.js"

export const bearer = (sandbox: Sandbox): Record<string, string> => ({
  Authorization: `Bearer ${sandbox.authorize().accessToken}`
})

export const basic = (key: string, secret: string): string =>
  `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`

export const marketOrder = (symbol = "AAPL", quantity: number | string = 10, instruction = "BUY") => ({
  orderType: "MARKET",
  session: "NORMAL",
  duration: "DAY",
  orderStrategyType: "SINGLE",
  orderLegCollection: [{ instruction, quantity, instrument: { symbol, assetType: "EQUITY" } }]
})

export const hashOf = (sandbox: Sandbox): string => {
  const account = sandbox.accounts[0]
  if (account === undefined) throw new Error("no account")
  return account.hashValue
}

export const place = async (
  sandbox: Sandbox,
  headers: Record<string, string>,
  body: unknown = marketOrder()
): Promise<Response> =>
  fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(body)
  })

export const idFromLocation = (response: Response): string => {
  const location = response.headers.get("location") ?? ""
  const id = /\/orders\/(\d+)$/.exec(location)?.[1]
  if (id === undefined) throw new Error(`no order id in Location ${location}`)
  return id
}

export const getOrderText = async (sandbox: Sandbox, headers: Record<string, string>, orderId: string) => {
  const response = await fetch(`${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders/${orderId}`, {
    headers
  })
  return { status: response.status, text: await response.text() }
}

/** Parses JSON while keeping every integer of 16+ digits as its text. */
export const parseKeepingBigInts = (text: string): unknown =>
  JSON.parse(text.replace(/([:[,])(\d{16,})(?=[,}\]])/g, '$1"$2"'))

export const listUrl = (sandbox: Sandbox, query: Record<string, string>): string =>
  `${sandbox.baseUrl}/accounts/${hashOf(sandbox)}/orders?${new URLSearchParams(query).toString()}`

/** Resolves once `check()` holds, polling every 5 ms; the test's timeout is the only limit. */
export const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}
