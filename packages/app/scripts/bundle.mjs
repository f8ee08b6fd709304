// Bundles the `fill-tracker` binary into one ES module (dist/fill-tracker.js) from the
// TypeScript sources. Why a bundle: from tsc's output, Node resolves and loads some two
// thousand module files before the first line runs (3-5 s on a busy 2-core machine); one
// file starts in a fraction of that. better-sqlite3 stays outside (a native addon, a
// dependency of this package); so does pg-native, which pg only tries to load.
import { build } from "esbuild"

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/fill-tracker.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@fill-tracker/source"],
  external: ["better-sqlite3", "pg-native"],
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: "linked",
  legalComments: "linked",
  // Bundled CommonJS dependencies (pg, ws) call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __ftCreateRequire } from 'node:module'; const require = __ftCreateRequire(import.meta.url);"
  },
  logLevel: "warning"
})
