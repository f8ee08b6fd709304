/** Requests to the health port with the `Host` header as a test chooses it. */
import * as http from "node:http"

/** A GET with the Host header chosen, or none (fetch does not let a caller set it). */
export const getWithHost = (port: number, route: string, host: string | null = `127.0.0.1:${port}`) =>
  new Promise<{ status: number; type: string; csp: string; body: string }>((resolve, reject) => {
    const req = http.get(
      // null: no Host header at all (an HTTP/1.0-style request).
      { host: "127.0.0.1", port, path: route, setHost: false, headers: host === null ? {} : { host } },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (c: string) => {
          body += c
        })
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            csp: String(res.headers["content-security-policy"] ?? ""),
            body
          })
        )
      }
    )
    req.on("error", reject)
  })
