/**
 * The health port serves only loopback names. A page on another site can point its own
 * name at 127.0.0.1 (DNS rebinding) and read what a loopback server answers; the browser
 * then still sends that other name in `Host`, so a request naming anything but
 * 127.0.0.1, localhost or [::1] with this server's port is refused on every route.
 */

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"] as const

/** Whether `host` (the request's Host header) is a loopback name with `port`. */
export const isLoopbackHost = (host: string | undefined, port: number): boolean =>
  host !== undefined && LOOPBACK_NAMES.some((name) => host.toLowerCase() === `${name}:${port}`)
