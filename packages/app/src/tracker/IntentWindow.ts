/**
 * How long a placement intent is looked for before it ends as not placed
 * (INTENT_RESOLUTION_WINDOW). The poller and a repeated `placeOrder` must judge an intent by
 * the same window: with the repeat on the default 2 minutes and the poller on a longer one,
 * a repeat after 2 minutes ended the intent `Failed` (not placed) while the poller would
 * still have looked for it, and an order Schwab listed late was then followed by nobody.
 *
 * A `Context.Reference` so a tracker built without the app's settings (store-only, a bot's
 * own layer) keeps the domain's default.
 */
import { DEFAULT_INTENT_WINDOW_MS } from "@fill-tracker/domain"
import { Context, Layer } from "effect"

export class IntentWindow extends Context.Reference<IntentWindow>()("@fill-tracker/app/IntentWindow", {
  defaultValue: (): number => DEFAULT_INTENT_WINDOW_MS
}) {
  /** The configured window, or the default when the setting is absent. */
  static readonly fromConfig = (windowMs: number | undefined) =>
    windowMs === undefined ? Layer.empty : Layer.succeed(IntentWindow, windowMs)
}
