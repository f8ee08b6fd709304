/**
 * Runs a sandbox as its own process, for tests that kill the poller while the
 * broker lives on. Prints one JSON line with what a client needs, then serves
 * until SIGTERM or SIGINT.
 *
 *   node --experimental-strip-types src/main.ts --seed 7 --clock real
 *   (or via tsx)
 *
 * Flags (each also as an env var, e.g. SANDBOX_SEED): --seed, --clock manual|real,
 * --start <ISO time> (manual clock), --app-key, --app-secret, --accounts 123,456,
 * --access-token-ttl <seconds>, --port, --unnamed-replacements true (REPLACED bodies name no
 * replacement, as real ones do). --heartbeat-ms (streamer).
 * The `/__sandbox/` control API (Control.ts)
 * is on, so the test that spawned it can script orders, move the clock and read truth.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { manualClock, realClock } from "./Clock.js"
import { startSandbox } from "./server.js"

const { values } = parseArgs({
  options: {
    seed: { type: "string" },
    clock: { type: "string" },
    start: { type: "string" },
    "app-key": { type: "string" },
    "app-secret": { type: "string" },
    accounts: { type: "string" },
    "access-token-ttl": { type: "string" },
    port: { type: "string" },
    "unnamed-replacements": { type: "string" },
    "heartbeat-ms": { type: "string" }
  }
})

const setting = (flag: keyof typeof values, env: string): string | undefined =>
  values[flag] ?? process.env[env]

const seedText = setting("seed", "SANDBOX_SEED")
const clockKind = setting("clock", "SANDBOX_CLOCK") ?? "real"
const start = setting("start", "SANDBOX_START")
const appKey = setting("app-key", "SANDBOX_APP_KEY")
const appSecret = setting("app-secret", "SANDBOX_APP_SECRET")
const accounts = setting("accounts", "SANDBOX_ACCOUNTS")
const ttl = setting("access-token-ttl", "SANDBOX_ACCESS_TOKEN_TTL")
const port = setting("port", "SANDBOX_PORT")
const unnamed = setting("unnamed-replacements", "SANDBOX_UNNAMED_REPLACEMENTS")
const heartbeatMs = setting("heartbeat-ms", "SANDBOX_HEARTBEAT_MS")

const sandbox = await startSandbox({
  control: true,
  seed: seedText === undefined ? 1 : /^\d+$/.test(seedText) ? Number(seedText) : seedText,
  clock: clockKind === "manual" ? manualClock(start) : realClock(),
  ...(appKey === undefined ? {} : { appKey }),
  ...(appSecret === undefined ? {} : { appSecret }),
  ...(accounts === undefined
    ? {}
    : { accounts: accounts.split(",").map((accountNumber) => ({ accountNumber })) }),
  ...(ttl === undefined ? {} : { accessTokenTtlSeconds: Number(ttl) }),
  ...(port === undefined ? {} : { port: Number(port) }),
  ...(unnamed === undefined ? {} : { namedReplacements: unnamed !== "true" }),
  ...(heartbeatMs === undefined ? {} : { streamer: { heartbeatMs: Number(heartbeatMs) } })
})

process.stdout.write(
  `${JSON.stringify({
    baseUrl: sandbox.baseUrl,
    tokenUrl: sandbox.tokenUrl,
    authorizeUrl: sandbox.authorizeUrl,
    streamerUrl: sandbox.streamer.url,
    port: sandbox.port,
    pid: process.pid,
    appKey: sandbox.appKey,
    appSecret: sandbox.appSecret,
    accounts: sandbox.accounts,
    clock: sandbox.clock.kind
  })}\n`
)

const stop = (): void => {
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.once("SIGTERM", stop)
process.once("SIGINT", stop)
