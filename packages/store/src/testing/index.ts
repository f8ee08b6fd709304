/**
 * `@fill-tracker/store/testing`: a throwaway PostgreSQL cluster for the tests, proofs and
 * benchmarks of the store and of anything built on it. Not used by the store itself.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 @category testing */
export { type Postgres, type PostgresOptions, startPostgres } from "./postgres.js"
