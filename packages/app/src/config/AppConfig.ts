/**
 * The resolved configuration of one command, from flags and the environment (flags win).
 * Resolution collects every problem before failing, so a person fixes them in one go.
 */
import { Redacted } from "effect"
import { type SettingName, type Settings, type SettingValue, settings } from "./settings.js"

export interface AppConfig {
  readonly database: string
  readonly pollingInterval: number
  readonly pollingMaxJitter: number
  readonly pollConcurrency: number
  /** Unset: hostname-pid. Optional so configs built in code need not name it. */
  readonly pollerId?: string | undefined
  /** Unset: 16 (the setting's default). */
  readonly pollerShards?: number
  readonly appKey: Redacted.Redacted<string> | undefined
  readonly appSecret: Redacted.Redacted<string> | undefined
  readonly redirectUri: string
  readonly baseUrl: string
  readonly tokenUrl: string
  readonly authorizeUrl: string
  readonly accounts: ReadonlyArray<string>
  readonly tokenKey: Redacted.Redacted<string> | undefined
  readonly rateLimit: number
  readonly requestTimeout: number
  readonly priceBand: string
  readonly healthPort: number
  readonly logLevel: SettingValue<"logLevel">
  readonly logFormat: SettingValue<"logFormat">
  readonly shutdownGrace: number
  readonly freshPollOffsets?: ReadonlyArray<number>
  /** ms after an unnamed REPLACED order closed that its replacement is looked for (default 5 min). */
  readonly replacementSearch?: number
  /** ms after its request that a placement intent is looked for before it fails as not placed (default 2 min). */
  readonly intentWindow?: number
  /** Listen to the account-activity stream. Unset (configs built in code): off; the setting's default is on. */
  readonly streaming?: boolean
  /** Order entries (place, replace, cancel) allowed per rolling day (default 1000). */
  readonly orderEntryPerDay?: number
  /** The tag of this app's orders at Schwab; empty or unset: no untracked-order report. */
  readonly orderTag?: string
  /** ms: orders entered longer ago are not reported as untracked (default a day). */
  readonly untrackedLookback?: number
  /** Longest Schwab answer read, in bytes (default 32 MiB, SchwabConfig's). */
  readonly maxResponseBytes?: number
  /** Longest streamer message read, in bytes (default 4 MiB, StreamerConfig's). */
  readonly streamerMaxFrameBytes?: number
}

/** One thing wrong with the configuration, naming both ways to set it. */
export interface ConfigProblem {
  readonly setting: SettingName
  readonly message: string
}

export class InvalidConfig extends Error {
  readonly _tag = "InvalidConfig"
  constructor(readonly problems: ReadonlyArray<ConfigProblem>) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${describe(p)}`).join("\n")}`)
  }
}

const describe = (p: ConfigProblem): string => {
  const s = settings[p.setting]
  return `--${s.flag} / ${s.env}: ${p.message}`
}

export type Sources = {
  readonly flags: Readonly<Record<string, string | undefined>>
  readonly env: Readonly<Record<string, string | undefined>>
}

/**
 * Resolves every setting; `required` names those this command cannot run without
 * (secrets have no default). Returns all problems at once.
 */
export const resolveConfig = (
  sources: Sources,
  required: ReadonlyArray<SettingName> = []
):
  | { readonly ok: true; readonly config: AppConfig }
  | { readonly ok: false; readonly error: InvalidConfig } => {
  const problems: Array<ConfigProblem> = []
  const values: Record<string, unknown> = {}
  for (const name of Object.keys(settings) as Array<SettingName>) {
    const setting = settings[name] as Settings[SettingName] & {
      readonly secret?: boolean
      readonly default?: string
    }
    const fromFlag = sources.flags[setting.flag]
    const fromEnv = sources.env[setting.env]
    const text = fromFlag ?? (fromEnv === "" ? undefined : fromEnv) ?? setting.default
    if (text === undefined) {
      if (required.includes(name)) problems.push({ setting: name, message: "is required" })
      values[name] = undefined
      continue
    }
    const parsed = (setting.parse as (t: string) => { ok: boolean; value?: unknown; problem?: string })(text)
    if (!parsed.ok) {
      // Parsers of secrets never quote their input, so a problem cannot leak one.
      problems.push({ setting: name, message: parsed.problem ?? "is not valid" })
      continue
    }
    values[name] = setting.secret === true ? Redacted.make(parsed.value as string) : parsed.value
  }
  return problems.length === 0
    ? { ok: true, config: values as unknown as AppConfig }
    : { ok: false, error: new InvalidConfig(problems) }
}
