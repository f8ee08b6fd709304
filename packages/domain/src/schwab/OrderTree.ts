/**
 * Orders nested in trees: a TRIGGER's child, an OCO's legs, a replacement. A followed
 * order can sit anywhere in them.
 *
 * @since 0.1.0
 */
import type { SchwabOrder } from "../SchwabOrder.js"

const nested = (o: SchwabOrder): ReadonlyArray<SchwabOrder> => [...o.childOrders, ...o.replacingOrders]

/**
 * Every order of the trees, each parent before its children (`childOrderStrategies`, then
 * `replacingOrderCollection`), at any depth. Each order is returned as decoded: a
 * parent's numbers are its own, never merged with its children's.
 *
 * @since 0.1.0
 * @category destructors
 */
export const flattenOrders = (orders: ReadonlyArray<SchwabOrder>): ReadonlyArray<SchwabOrder> => {
  const out: Array<SchwabOrder> = []
  // An explicit stack: a deep tree must not overflow the call stack.
  const stack: Array<SchwabOrder> = [...orders].reverse()
  for (let o = stack.pop(); o !== undefined; o = stack.pop()) {
    out.push(o)
    stack.push(...[...nested(o)].reverse())
  }
  return out
}

/**
 * The order with this id wherever it sits in the trees, or `undefined`. The shallowest
 * match wins (breadth first): a top-level order is Schwab's full copy, while a copy inside
 * another order's `replacingOrderCollection` may be abridged.
 *
 * @since 0.1.0
 * @category destructors
 */
export const findOrder = (orders: ReadonlyArray<SchwabOrder>, orderId: string): SchwabOrder | undefined => {
  let level: ReadonlyArray<SchwabOrder> = orders
  while (level.length > 0) {
    const found = level.find((o) => o.orderId === orderId)
    if (found !== undefined) return found
    level = level.flatMap(nested)
  }
  return undefined
}
