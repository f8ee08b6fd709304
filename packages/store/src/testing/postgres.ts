/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a temp dir, started on
 * a free loopback port, stopped and deleted by `stop()`. PostgreSQL refuses to run as root,
 * so as root the binaries run as the `postgres` system user (via `runuser`), which owns the dir.
 * Nothing listens beyond 127.0.0.1 (the unix socket lives in the temp dir too).
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication, no password). */
  readonly url: string
  /** The same cluster, another database. */
  readonly urlOf: (database: string) => string
  readonly stop: () => Promise<void>
}

export interface PostgresOptions {
  /** `false` (the default for tests) skips fsync: fast, and the cluster is thrown away anyway. */
  readonly durable?: boolean
}

/** Debian keeps the binaries in /usr/lib/postgresql/<major>/bin, off PATH; prefer the newest. */
const binDir = (): string => {
  const root = "/usr/lib/postgresql"
  const majors = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((d) => fs.existsSync(path.join(root, d, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : []
  return majors[0] === undefined ? "" : path.join(root, majors[0], "bin")
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export const startPostgres = async (options: PostgresOptions = {}): Promise<Postgres> => {
  const bin = binDir()
  const tool = (name: string) => (bin === "" ? name : path.join(bin, name))
  const asRoot = process.getuid?.() === 0
  const pg = (name: string, args: ReadonlyArray<string>) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", tool(name), ...args]) : run(tool(name), [...args])

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fill-tracker-pg-"))
  const data = path.join(dir, "data")
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"])
    const { stdout: gid } = await run("id", ["-g", "postgres"])
    fs.chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    await pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"])
    const settings = [
      "-c listen_addresses=127.0.0.1",
      `-k ${dir}`,
      "-c max_connections=200",
      ...(options.durable === true
        ? []
        : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"])
    ]
    // A port found free can be taken before the server binds it: try a few.
    for (let attempt = 0; ; attempt++) {
      const port = await freePort()
      try {
        await pg("pg_ctl", [
          "-D",
          data,
          "-l",
          path.join(dir, "log"),
          "-w",
          "-o",
          `-p ${port} ${settings.join(" ")}`,
          "start"
        ])
      } catch (cause) {
        if (attempt < 3) continue
        const log = fs.existsSync(path.join(dir, "log")) ? fs.readFileSync(path.join(dir, "log"), "utf8") : ""
        throw new Error(`pg_ctl start failed: ${(cause as Error).message}\n${log}`)
      }
      const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
      let stopped: Promise<void> | undefined
      return {
        url: urlOf("postgres"),
        urlOf,
        stop: () => {
          stopped ??= pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).then(cleanup, (e) => {
            cleanup()
            throw e
          })
          return stopped
        }
      }
    }
  } catch (e) {
    cleanup()
    throw e
  }
}
