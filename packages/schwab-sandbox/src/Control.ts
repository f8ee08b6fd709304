/**
 * A control API under `/__sandbox/`, for a test that runs the sandbox in another
 * process (see `main.ts`) and still needs to script orders, move the clock, inject
 * faults and read the truth. Plain JSON in and out; off unless `control: true`.
 * Its requests stay out of the request log and never meet a fault.
 *
 * @since 0.1.0
 */
import type { FaultSpec } from "./Faults.js"
import { type JsonValue, renderJson } from "./JsonText.js"
import {
  expire,
  fillInOneActivity,
  fillsInLegs,
  immediateFill,
  type Lifecycle,
  type OpenStatus,
  partialThenCancel,
  reject,
  replace,
  working
} from "./Lifecycle.js"
import type { Answer } from "./routes.js"
import type { StreamFaultSpec, UnknownVariant } from "./StreamerFaults.js"
import type { Sandbox } from "./server.js"

/**
 * A lifecycle builder named as data, e.g. `{"lifecycle":"fillsInLegs","args":[3,1000]}`;
 * `replace` takes the next order's spec first: `{"lifecycle":"replace","args":[{...}, {"afterMs":5}]}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LifecycleSpec {
  readonly lifecycle: string
  readonly args?: ReadonlyArray<unknown>
}

type Options = Record<string, never>

/** @since 0.1.0 @category constructors */
export const lifecycleFromSpec = (spec: LifecycleSpec): Lifecycle => {
  const [a, b, c] = spec.args ?? []
  switch (spec.lifecycle) {
    case "immediateFill":
      return immediateFill((a ?? {}) as Options)
    case "fillsInLegs":
      return fillsInLegs(Number(a ?? 2), Number(b ?? 1000), (c ?? {}) as Options)
    case "fillInOneActivity":
      return fillInOneActivity(Number(a ?? 2), (b ?? {}) as Options)
    case "partialThenCancel":
      return partialThenCancel((a ?? {}) as Options)
    case "reject":
      return reject(String(a ?? "Order rejected"), (b ?? {}) as Options)
    case "expire":
      return expire((a ?? {}) as Options)
    case "working":
      return working((a ?? "WORKING") as OpenStatus)
    case "replace":
      return replace(lifecycleFromSpec(a as LifecycleSpec), (b ?? {}) as { named?: boolean })
    default:
      throw new Error(`unknown lifecycle ${spec.lifecycle}`)
  }
}

const ok = (body: JsonValue = {}): Answer => ({ status: 200, body: renderJson(body) })

/** Answers a control request, or undefined when the path is not a control path. */
export const control = (sandbox: Sandbox, method: string, path: string, body: string): Answer | undefined => {
  if (!path.startsWith("/__sandbox/")) return undefined
  const input = (): Record<string, unknown> =>
    body === "" ? {} : (JSON.parse(body) as Record<string, unknown>)
  try {
    const route = `${method} ${path.slice("/__sandbox".length)}`
    const truth = /^GET \/truth\/(\d+)$/.exec(route)
    if (truth !== null) return ok(sandbox.truth(truth[1] ?? "") as unknown as JsonValue)
    switch (route) {
      case "GET /state":
        return ok({ now: sandbox.clock.now(), orderIds: sandbox.orderIds() })
      case "POST /clock/advance":
        sandbox.advance(Number(input().ms))
        return ok({ now: sandbox.clock.now() })
      case "POST /clock/set":
        if (sandbox.clock.kind !== "manual") throw new Error("the clock is real")
        sandbox.clock.set(input().at as string)
        return ok({ now: sandbox.clock.now() })
      case "POST /script-next":
        sandbox.scriptNext(lifecycleFromSpec(input() as unknown as LifecycleSpec))
        return ok()
      case "POST /seed-order": {
        const { accountHash, order, lifecycle } = input() as {
          accountHash: string
          order: Parameters<Sandbox["seedOrder"]>[1]
          lifecycle?: LifecycleSpec
        }
        const lifecycleValue = lifecycle === undefined ? undefined : lifecycleFromSpec(lifecycle)
        return ok({ orderId: sandbox.seedOrder(accountHash, order, lifecycleValue) })
      }
      case "POST /replace-outside": {
        const { orderId, changes, lifecycle } = input() as {
          orderId: string
          changes?: Parameters<Sandbox["replaceOutside"]>[1]
          lifecycle?: LifecycleSpec
        }
        const lifecycleValue = lifecycle === undefined ? undefined : lifecycleFromSpec(lifecycle)
        return ok({ orderId: sandbox.replaceOutside(orderId, changes, lifecycleValue) })
      }
      case "POST /cancel-outside":
        sandbox.cancelOutside(String(input().orderId))
        return ok()
      case "GET /placements":
        return ok(sandbox.placements() as unknown as JsonValue)
      case "POST /faults":
        return ok({ id: sandbox.faults.inject(input() as unknown as FaultSpec).id })
      case "DELETE /faults":
        sandbox.faults.clear()
        return ok()
      case "GET /streamer":
        return ok({
          url: sandbox.streamer.url,
          info: { ...sandbox.streamer.info },
          connections: sandbox.streamer.connections() as unknown as JsonValue,
          stats: { ...sandbox.streamer.stats() }
        })
      case "POST /streamer/faults":
        return ok({ id: sandbox.streamer.faults.inject(input() as unknown as StreamFaultSpec).id })
      case "DELETE /streamer/faults":
        sandbox.streamer.faults.clear()
        return ok()
      case "POST /streamer/drop":
        sandbox.streamer.dropConnections()
        return ok()
      case "POST /streamer/kick-off":
        sandbox.streamer.kickOff()
        return ok()
      case "POST /streamer/stall":
        sandbox.streamer.stall()
        return ok()
      case "POST /streamer/heartbeat":
        sandbox.streamer.heartbeat()
        return ok()
      case "POST /streamer/unknown":
        sandbox.streamer.sendUnknown((input().variant as UnknownVariant | undefined) ?? "activityType")
        return ok()
      case "GET /requests":
        return ok(sandbox.requests() as unknown as JsonValue)
      case "DELETE /requests":
        sandbox.resetRequests()
        return ok()
      case "POST /authorization-code":
        return ok({ code: sandbox.issueAuthorizationCode() })
      case "POST /authorize":
        return ok(sandbox.authorize() as unknown as JsonValue)
      case "POST /expire-access-tokens":
        sandbox.expireAccessTokens()
        return ok()
      case "POST /revoke-refresh-tokens":
        sandbox.revokeRefreshTokens()
        return ok()
      default:
        return { status: 404, body: renderJson({ message: `no control route ${route}` }) }
    }
  } catch (error) {
    return {
      status: 400,
      body: renderJson({ message: error instanceof Error ? error.message : String(error) })
    }
  }
}
