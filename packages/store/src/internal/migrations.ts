/**
 * The schema, as numbered migrations defined in code for the `@effect/sql` Migrator.
 *
 * Portable SQL except where `onDialectOrElse` picks a dialect: the global position column
 * (SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`, PostgreSQL an identity) and the JSON check
 * on `legs` (SQLite `json_valid`, PostgreSQL a `jsonb` column). The PostgreSQL branches are
 * written for the later `SqlClient` and have not been run yet.
 */
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import { decodeStoredEvent } from "@fill-tracker/domain"
import * as Effect from "effect/Effect"
import { StoreRefused } from "../errors.js"
import { eventHash } from "./eventHash.js"
import { safeIntegers } from "./eventRows.js"

/** Live read model and the scratch copy `Replay` rebuilds into have the same shape. */
export const executionsTable = "executions"
export const executionOrdersTable = "execution_orders"
export const scratchExecutionsTable = "executions_rebuild"
export const scratchExecutionOrdersTable = "execution_orders_rebuild"

const createExecutions = (table: string, ordersTable: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const legs = sql.onDialectOrElse({
      pg: () => sql.literal("legs JSONB"),
      orElse: () => sql.literal("legs TEXT CHECK (legs IS NULL OR json_valid(legs))")
    })
    yield* sql`CREATE TABLE ${sql(table)} (
      execution_id TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'FILLED', 'FAILED')),
      state TEXT NOT NULL,
      order_id TEXT NOT NULL CHECK (length(order_id) BETWEEN 1 AND 19),
      original_order_id TEXT NOT NULL CHECK (length(original_order_id) BETWEEN 1 AND 19),
      account_hash TEXT NOT NULL CHECK (length(account_hash) >= 1),
      symbol TEXT NOT NULL CHECK (length(symbol) >= 1),
      shares TEXT NOT NULL CHECK (shares NOT LIKE '-%' AND CAST(shares AS NUMERIC) > 0),
      direction TEXT NOT NULL CHECK (direction IN ('BUY', 'SELL')),
      filled_shares TEXT NOT NULL CHECK (filled_shares NOT LIKE '-%' AND CAST(filled_shares AS NUMERIC) >= 0),
      notional TEXT,
      average_price TEXT,
      price_cents INTEGER,
      leg_id TEXT,
      ${legs},
      flag_count INTEGER NOT NULL CHECK (flag_count >= 0),
      last_flag_kind TEXT CHECK (last_flag_kind IN ('PriceOutOfBand', 'NonPositivePrice', 'Overfill')),
      reason TEXT,
      broker_status TEXT,
      submitted_at TEXT NOT NULL,
      executed_at TEXT,
      failed_at TEXT,
      stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
      updated_at TEXT NOT NULL,
      CONSTRAINT state_matches_status CHECK (
        (status = 'SUBMITTED' AND state IN ('SUBMITTED', 'PARTIALLY_FILLED'))
        OR (status = 'FILLED' AND state = 'FILLED')
        OR (status = 'FAILED' AND state IN ('CANCELED', 'REJECTED', 'EXPIRED', 'REPLACED_FAILED', 'FAILED'))
      ),
      CONSTRAINT filled_is_complete CHECK (status <> 'FILLED' OR (
        price_cents IS NOT NULL AND average_price IS NOT NULL AND executed_at IS NOT NULL
        AND CAST(filled_shares AS NUMERIC) > 0 AND failed_at IS NULL AND reason IS NULL
      )),
      CONSTRAINT failed_is_complete CHECK (status <> 'FAILED' OR (
        reason IS NOT NULL AND failed_at IS NOT NULL AND broker_status IS NOT NULL AND executed_at IS NULL
      )),
      CONSTRAINT working_is_open CHECK (status <> 'SUBMITTED' OR (
        executed_at IS NULL AND failed_at IS NULL AND reason IS NULL
      )),
      CONSTRAINT flag_kind_with_count CHECK ((flag_count = 0) = (last_flag_kind IS NULL)),
      CONSTRAINT one_leg_or_many CHECK (legs IS NULL OR leg_id IS NULL)
    )`
    yield* sql`CREATE INDEX ${sql(`${table}_status_submitted`)} ON ${sql(table)} (status, submitted_at)`
    yield* sql`CREATE INDEX ${sql(`${table}_symbol_status`)} ON ${sql(table)} (symbol, status)`
    yield* sql`CREATE INDEX ${sql(`${table}_state`)} ON ${sql(table)} (state)`
    yield* sql`CREATE TABLE ${sql(ordersTable)} (
      order_id TEXT NOT NULL,
      execution_id TEXT NOT NULL REFERENCES ${sql(table)} (execution_id) ON DELETE CASCADE,
      PRIMARY KEY (order_id, execution_id)
    )`
    yield* sql`CREATE INDEX ${sql(`${ordersTable}_execution`)} ON ${sql(ordersTable)} (execution_id)`
  })

const events = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE streams (
    stream_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL CHECK (version >= 0)
  )`
  const position = sql.onDialectOrElse({
    pg: () => sql.literal("position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
    orElse: () => sql.literal("position INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  yield* sql`CREATE TABLE events (
    ${position},
    stream_id TEXT NOT NULL REFERENCES streams (stream_id),
    stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
    event_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream_id, stream_version)
  )`
})

const tokenBlobs = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE token_blobs (
    name TEXT PRIMARY KEY,
    blob TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`
})

/** Durable subscriptions: the last position each named consumer handled (see Checkpoints). */
const subscriptionCheckpoints = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE subscription_checkpoints (
    name TEXT PRIMARY KEY CHECK (length(name) >= 1),
    position BIGINT NOT NULL CHECK (position >= 0),
    updated_at TEXT NOT NULL
  )`
})

/**
 * Several pollers: one lease row per account shard (owner, fencing token, expiry in epoch
 * ms) and one heartbeat row per live poller (see Leases).
 */
const pollerLeases = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE poller_leases (
    shard INTEGER PRIMARY KEY CHECK (shard >= 0),
    owner TEXT,
    token BIGINT NOT NULL CHECK (token >= 0),
    expires_at BIGINT NOT NULL
  )`
  yield* sql`CREATE TABLE pollers (
    poller_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
  )`
})

/** The Schwab request budget shared by every process: one row per slot (see SharedRateLimit). */
const rateBudget = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE rate_budget (
    name TEXT NOT NULL,
    slot INTEGER NOT NULL CHECK (slot >= 0),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (name, slot)
  )`
})

/**
 * Replay's scratch table is only ever read by execution id (a cache miss, the swap, verify's
 * joins); the lookup indexes it was created with only made every scratch write dearer.
 */
const scratchWithoutLookupIndexes = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const suffix of ["status_submitted", "symbol_status", "state"])
    yield* sql`DROP INDEX IF EXISTS ${sql(`${scratchExecutionsTable}_${suffix}`)}`
})

/**
 * The hash chain (internal/eventHash.ts): a `hash` column on events, filled in for the
 * events already stored, each stream in version order. Read in pages by position so a big
 * store is not held in memory; each stream's last hash is kept between pages. Nullable,
 * since a column added to existing rows cannot be NOT NULL without a default: `Ledger.check`
 * reports an event without a hash.
 */
const eventHashes = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE events ADD COLUMN hash TEXT`
  const last = new Map<string, string>()
  let from = 0n
  for (;;) {
    const rows = yield* sql<{
      position: unknown
      stream_id: string
      stream_version: unknown
      event_type: string
      schema_version: unknown
      payload: string
      metadata: string
      recorded_at: string
    }>`SELECT position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at
       FROM events WHERE position >= ${from} ORDER BY position LIMIT 2000`.pipe(safeIntegers)
    for (const row of rows) {
      const hash = eventHash(last.get(row.stream_id) ?? null, {
        streamId: row.stream_id,
        version: Number(row.stream_version),
        type: row.event_type,
        schemaVersion: Number(row.schema_version),
        payload: row.payload,
        metadata: row.metadata,
        recordedAt: row.recorded_at
      })
      last.set(row.stream_id, hash)
      yield* sql`UPDATE events SET hash = ${hash} WHERE position = ${row.position as bigint}`
    }
    const end = rows.at(-1)
    if (rows.length < 2000 || end === undefined) return
    from = BigInt(end.position as bigint) + 1n
  }
})

/**
 * The executions tables as of 0011: an intent to place (PENDING) has no order id yet, and
 * an intent that found no single order ends FAILED as NOT_PLACED or PLACEMENT_AMBIGUOUS,
 * still without one; short sales (SELL_SHORT, BUY_TO_COVER) are directions. Same columns
 * in the same order as 0002, so rows copy across as they are.
 */
const createExecutionsV2 = (table: string, ordersTable: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const legs = sql.onDialectOrElse({
      pg: () => sql.literal("legs JSONB"),
      orElse: () => sql.literal("legs TEXT CHECK (legs IS NULL OR json_valid(legs))")
    })
    yield* sql`CREATE TABLE ${sql(table)} (
      execution_id TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('PENDING', 'SUBMITTED', 'FILLED', 'FAILED')),
      state TEXT NOT NULL,
      order_id TEXT CHECK (order_id IS NULL OR length(order_id) BETWEEN 1 AND 19),
      original_order_id TEXT CHECK (original_order_id IS NULL OR length(original_order_id) BETWEEN 1 AND 19),
      account_hash TEXT NOT NULL CHECK (length(account_hash) >= 1),
      symbol TEXT NOT NULL CHECK (length(symbol) >= 1),
      shares TEXT NOT NULL CHECK (shares NOT LIKE '-%' AND CAST(shares AS NUMERIC) > 0),
      direction TEXT NOT NULL CHECK (direction IN ('BUY', 'SELL', 'SELL_SHORT', 'BUY_TO_COVER')),
      filled_shares TEXT NOT NULL CHECK (filled_shares NOT LIKE '-%' AND CAST(filled_shares AS NUMERIC) >= 0),
      notional TEXT,
      average_price TEXT,
      price_cents INTEGER,
      leg_id TEXT,
      ${legs},
      flag_count INTEGER NOT NULL CHECK (flag_count >= 0),
      last_flag_kind TEXT CHECK (last_flag_kind IN ('PriceOutOfBand', 'NonPositivePrice', 'Overfill')),
      reason TEXT,
      broker_status TEXT,
      submitted_at TEXT NOT NULL,
      executed_at TEXT,
      failed_at TEXT,
      stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
      updated_at TEXT NOT NULL,
      CONSTRAINT state_matches_status CHECK (
        (status = 'PENDING' AND state = 'PENDING')
        OR (status = 'SUBMITTED' AND state IN ('SUBMITTED', 'PARTIALLY_FILLED'))
        OR (status = 'FILLED' AND state = 'FILLED')
        OR (status = 'FAILED' AND state IN ('CANCELED', 'REJECTED', 'EXPIRED', 'REPLACED_FAILED', 'FAILED',
          'NOT_PLACED', 'PLACEMENT_AMBIGUOUS'))
      ),
      CONSTRAINT order_id_unless_unplaced CHECK (
        (order_id IS NULL) = (state IN ('PENDING', 'NOT_PLACED', 'PLACEMENT_AMBIGUOUS'))
        AND (original_order_id IS NULL) = (order_id IS NULL)
      ),
      CONSTRAINT unplaced_filled_nothing CHECK (order_id IS NOT NULL OR (
        CAST(filled_shares AS NUMERIC) = 0 AND notional IS NULL AND average_price IS NULL
        AND price_cents IS NULL AND leg_id IS NULL AND legs IS NULL AND executed_at IS NULL
      )),
      CONSTRAINT filled_is_complete CHECK (status <> 'FILLED' OR (
        price_cents IS NOT NULL AND average_price IS NOT NULL AND executed_at IS NOT NULL
        AND CAST(filled_shares AS NUMERIC) > 0 AND failed_at IS NULL AND reason IS NULL
      )),
      CONSTRAINT failed_is_complete CHECK (status <> 'FAILED' OR (
        reason IS NOT NULL AND failed_at IS NOT NULL AND executed_at IS NULL
        AND (broker_status IS NOT NULL OR order_id IS NULL)
      )),
      CONSTRAINT working_is_open CHECK (status NOT IN ('PENDING', 'SUBMITTED') OR (
        executed_at IS NULL AND failed_at IS NULL AND reason IS NULL
      )),
      CONSTRAINT pending_heard_nothing CHECK (status <> 'PENDING' OR (broker_status IS NULL AND flag_count = 0)),
      CONSTRAINT flag_kind_with_count CHECK ((flag_count = 0) = (last_flag_kind IS NULL)),
      CONSTRAINT one_leg_or_many CHECK (legs IS NULL OR leg_id IS NULL)
    )`
    yield* sql`CREATE TABLE ${sql(ordersTable)} (
      order_id TEXT NOT NULL,
      execution_id TEXT NOT NULL REFERENCES ${sql(table)} (execution_id) ON DELETE CASCADE,
      PRIMARY KEY (order_id, execution_id)
    )`
  })

/**
 * Replaces a pair of executions tables by their 0011 shape, keeping every row. SQLite
 * cannot alter a CHECK, so the new tables are built beside the old, filled, and renamed
 * over them. The order-id table goes first: dropping the executions table while a table
 * still references it would cascade-delete its rows (foreign keys are on). Renaming the
 * new executions table updates the reference in the new order-id table (SQLite 3.26+;
 * PostgreSQL references by identity).
 */
const rebuildExecutions = (table: string, ordersTable: string, lookupIndexes: boolean) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const next = `${table}_0011`
    const nextOrders = `${ordersTable}_0011`
    yield* createExecutionsV2(next, nextOrders)
    yield* sql`INSERT INTO ${sql(next)} SELECT * FROM ${sql(table)}`
    yield* sql`INSERT INTO ${sql(nextOrders)} SELECT * FROM ${sql(ordersTable)}`
    yield* sql`DROP TABLE ${sql(ordersTable)}`
    yield* sql`DROP TABLE ${sql(table)}`
    yield* sql`ALTER TABLE ${sql(next)} RENAME TO ${sql(table)}`
    yield* sql`ALTER TABLE ${sql(nextOrders)} RENAME TO ${sql(ordersTable)}`
    // PostgreSQL names a primary key's index after its table; keep the names of 0002.
    yield* sql.onDialectOrElse({
      pg: () =>
        Effect.zipRight(
          sql`ALTER INDEX ${sql(`${next}_pkey`)} RENAME TO ${sql(`${table}_pkey`)}`,
          sql`ALTER INDEX ${sql(`${nextOrders}_pkey`)} RENAME TO ${sql(`${ordersTable}_pkey`)}`
        ),
      orElse: () => Effect.void
    })
    if (lookupIndexes) {
      yield* sql`CREATE INDEX ${sql(`${table}_status_submitted`)} ON ${sql(table)} (status, submitted_at)`
      yield* sql`CREATE INDEX ${sql(`${table}_symbol_status`)} ON ${sql(table)} (symbol, status)`
      yield* sql`CREATE INDEX ${sql(`${table}_state`)} ON ${sql(table)} (state)`
    }
    yield* sql`CREATE INDEX ${sql(`${ordersTable}_execution`)} ON ${sql(ordersTable)} (execution_id)`
  })

/** Intents (PENDING rows without an order id), unplaced failures and short sales (see above). */
const placementIntents = Effect.zipRight(
  rebuildExecutions(executionsTable, executionOrdersTable, true),
  rebuildExecutions(scratchExecutionsTable, scratchExecutionOrdersTable, false)
)

/**
 * What pollers learn from Schwab and must not forget on a restart (see LearnedFacts.ts):
 * each followed order's entered time, and the untracked orders already reported. Side
 * tables, not events or read-model columns: Replay rebuilds and swaps only the executions
 * tables, so it leaves these alone, and neither is a fact about an execution's history
 * (why, in LearnedFacts.ts). Times are epoch milliseconds, as the poller compares them.
 */
const learnedFacts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE order_entered_times (
    order_id TEXT PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 19),
    entered_at BIGINT NOT NULL,
    learned_at BIGINT NOT NULL
  )`
  yield* sql`CREATE TABLE untracked_reports (
    order_id TEXT PRIMARY KEY CHECK (length(order_id) BETWEEN 1 AND 19),
    entered_at BIGINT NOT NULL,
    reported_at BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX untracked_reports_entered ON untracked_reports (entered_at)`
})

/**
 * 0013: the working execution's replace or cancel (`request`, `request_at`; see
 * `RequestState`). Both tables get the columns with their checks (SQLite can add a column
 * with a CHECK naming other columns; PostgreSQL takes the check as a table constraint),
 * and the live rows whose last replace or cancel of the followed order is still open are
 * filled in from the events, as a replay would (nothing could have lapsed before 0013).
 */
const requestColumns = (table: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const states = sql.literal("'REPLACE_REQUESTED', 'CANCEL_REQUESTED', 'REPLACE_LAPSED', 'CANCEL_LAPSED'")
    const check = sql.literal(
      `(request IS NULL) = (request_at IS NULL) AND (request IS NULL OR status = 'SUBMITTED')`
    )
    yield* sql.onDialectOrElse({
      pg: () =>
        Effect.all(
          [
            sql`ALTER TABLE ${sql(table)} ADD COLUMN request TEXT CHECK (request IN (${states}))`,
            sql`ALTER TABLE ${sql(table)} ADD COLUMN request_at TEXT`,
            sql`ALTER TABLE ${sql(table)} ADD CONSTRAINT ${sql(`${table}_request_of_working`)} CHECK (${check})`
          ],
          { discard: true }
        ),
      orElse: () =>
        Effect.zipRight(
          sql`ALTER TABLE ${sql(table)} ADD COLUMN request TEXT CHECK (request IN (${states}))`,
          sql`ALTER TABLE ${sql(table)} ADD COLUMN request_at TEXT CHECK (${check})`
        )
    })
  })

const openRequests = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* requestColumns(executionsTable)
  yield* requestColumns(scratchExecutionsTable)
  const rows = yield* sql<{
    stream_id: string
    order_id: string
    event_type: string
    schema_version: unknown
    payload: string
  }>`SELECT e.stream_id, x.order_id, e.event_type, e.schema_version, e.payload
     FROM events e JOIN ${sql(executionsTable)} x ON x.execution_id = e.stream_id
     WHERE x.status = 'SUBMITTED' AND e.event_type IN ('ReplaceRequested', 'CancelRequested', 'Replaced')
     ORDER BY e.position`.pipe(safeIntegers)
  // The last of each stream's replacements and requests of the order it follows now.
  const open = new Map<string, { request: string; at: string } | undefined>()
  for (const row of rows) {
    const decoded = decodeStoredEvent(row.event_type, Number(row.schema_version), row.payload)
    if (decoded._tag === "Left") continue // Ledger.check reports it; it changes no row.
    const e = decoded.right
    if (e.type === "Replaced") open.set(row.stream_id, undefined)
    else if ((e.type === "ReplaceRequested" || e.type === "CancelRequested") && e.orderId === row.order_id)
      open.set(row.stream_id, {
        request: e.type === "ReplaceRequested" ? "REPLACE_REQUESTED" : "CANCEL_REQUESTED",
        at: e.requestedAt
      })
  }
  for (const [id, r] of open)
    if (r !== undefined)
      yield* sql`UPDATE ${sql(executionsTable)} SET request = ${r.request}, request_at = ${r.at} WHERE execution_id = ${id}`
})

/** Never edit a released migration: add the next number. */
export const migrations = {
  "0001_events": events,
  "0002_executions": createExecutions(executionsTable, executionOrdersTable),
  "0003_executions_rebuild": createExecutions(scratchExecutionsTable, scratchExecutionOrdersTable),
  "0004_token_blobs": tokenBlobs,
  "0005_subscription_checkpoints": subscriptionCheckpoints,
  "0006_poller_leases": pollerLeases,
  "0007_rate_budget": rateBudget,
  "0008_scratch_without_lookup_indexes": scratchWithoutLookupIndexes,
  "0010_event_hashes": eventHashes,
  // 0011, not 0009: the Migrator runs only ids above the newest applied, so a 0009 added
  // after 0010 had landed would be skipped on every store already at 10.
  "0011_placement_intents": placementIntents,
  "0012_learned_facts": learnedFacts,
  "0013_open_requests": openRequests
}
export const loader = Migrator.fromRecord(migrations)

const runMigrations = Migrator.make({})({ loader, table: "store_migrations" })

/** The newest migration this binary knows: the number its last migration's name starts with. */
export const binarySchemaVersion = Math.max(
  ...Object.keys(migrations).map((name) => Number.parseInt(name, 10))
)

/** The newest migration recorded in the store, 0 for a new one. */
const storeSchemaVersion = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.gen(function* () {
    const exists = yield* sql.onDialectOrElse({
      pg: () => sql<{ found: unknown }>`SELECT to_regclass('store_migrations') IS NOT NULL AS found`,
      orElse: () =>
        sql<{
          found: unknown
        }>`SELECT COUNT(*) AS found FROM sqlite_master WHERE type = 'table' AND name = 'store_migrations'`
    })
    const found = exists[0]?.found
    if (found !== true && Number(found ?? 0) < 1) return 0
    const rows = yield* sql<{ id: unknown }>`SELECT MAX(migration_id) AS id FROM store_migrations`
    return Number(rows[0]?.id ?? 0)
  })
)

/**
 * Refuses a store migrated past what this binary knows, before anything is written: the
 * migrator itself would find nothing to run and let an older binary write rows a newer
 * schema may not accept (or read them wrong).
 */
export const schemaGuardAt = (binaryVersion: number) =>
  Effect.flatMap(storeSchemaVersion, (storeVersion) =>
    storeVersion > binaryVersion
      ? Effect.fail(
          new StoreRefused({
            reason: "NewerSchema",
            detail: `the store is at schema version ${storeVersion}, newer than this fill-tracker knows (${binaryVersion}): upgrade fill-tracker; nothing was written`,
            storeVersion,
            binaryVersion
          })
        )
      : Effect.void
  )

/** The guard of this binary; `schemaGuardAt(n)` is an older binary's (the tests run one). */
export const schemaGuard = schemaGuardAt(binarySchemaVersion)

/**
 * Runs the pending migrations in one transaction; a no-op when the database is up to date.
 * PostgreSQL: several processes may start at once, and the migrator creates its table
 * before taking its own lock (two creators race: 42P07), so the whole run, table creation
 * included, is one transaction under an advisory lock; the later starters find it done.
 */
const runPending = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () =>
      sql.withTransaction(
        Effect.all(
          [
            sql`SELECT pg_advisory_xact_lock(${sql.literal("7311620950291316340")})`,
            // The migrator's own table, as it would create it (its probe would abort this transaction).
            sql`CREATE TABLE IF NOT EXISTS store_migrations (
              migration_id integer PRIMARY KEY,
              created_at timestamp with time zone NOT NULL DEFAULT now(),
              name text NOT NULL
            )`,
            runMigrations
          ],
          { discard: true }
        )
      ),
    orElse: () => Effect.asVoid(runMigrations)
  })
)

/** The schema guard, then the pending migrations. */
export const migrate = Effect.zipRight(schemaGuard, runPending)
