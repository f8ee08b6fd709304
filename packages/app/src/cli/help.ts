/**
 * `--help` for every command, from @effect/cli's own help documents with three changes a
 * reader needs: usage shows the whole command path (`fill-tracker auth login ...`, where
 * @effect/cli prints `$ login ...`); the type line each option gets from its primitive
 * ("A user-defined piece of text.", "A true or false value.") is dropped, since every
 * option carries its own description and its value name (`duration`, `url`, ...) is in
 * its usage; and the list of subcommands names each by its full path with its description
 * (@effect/cli lists every option of every subcommand there).
 */
import { CliConfig, type Command, HelpDoc, Usage } from "@effect/cli"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as Span from "@effect/cli/HelpDoc/Span"
import { Array as Arr } from "effect"

/** @effect/cli's descriptor nodes, as far as finding a command by its path needs them. */
type Node =
  | {
      readonly _tag: "Standard" | "GetUserInput"
      readonly name: string
      readonly description: HelpDoc.HelpDoc
    }
  | { readonly _tag: "Map"; readonly command: Node }
  | { readonly _tag: "Subcommands"; readonly parent: Node; readonly children: ReadonlyArray<Node> }

const nameOf = (node: Node): string =>
  node._tag === "Map" ? nameOf(node.command) : node._tag === "Subcommands" ? nameOf(node.parent) : node.name

const childrenOf = (node: Node): ReadonlyArray<Node> =>
  node._tag === "Map" ? childrenOf(node.command) : node._tag === "Subcommands" ? node.children : []

const descriptionOf = (node: Node): HelpDoc.HelpDoc =>
  node._tag === "Map"
    ? descriptionOf(node.command)
    : node._tag === "Subcommands"
      ? descriptionOf(node.parent)
      : node.description

/** Every command below `node`, depth first, each with its full path. */
const descendants = (node: Node, path: string): ReadonlyArray<readonly [string, Node]> =>
  childrenOf(node).flatMap((child) => {
    const childPath = `${path} ${nameOf(child)}`
    return [[childPath, child] as const, ...descendants(child, childPath)]
  })

/** A COMMANDS section: each command's full path, padded, and its one-line description. */
const commandList = (node: Node, path: string): HelpDoc.HelpDoc => {
  const all = descendants(node, path)
  const width = Math.max(0, ...all.map(([p]) => p.length))
  const lines = all.map(([p, child]) =>
    HelpDoc.p(Span.spans([Span.code(p.padEnd(width + 2)), HelpDoc.getSpan(descriptionOf(child))]))
  )
  return Arr.isNonEmptyReadonlyArray(lines)
    ? HelpDoc.sequence(HelpDoc.h1("COMMANDS"), HelpDoc.blocks(lines))
    : HelpDoc.empty
}

/** The primitive type lines @effect/cli puts above each option's own description. */
const TYPE_LINES = new Set([
  "A user-defined piece of text.",
  "A user-defined piece of text that is confidential.",
  "A true or false value.",
  "An integer.",
  "A floating point number."
])

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

/**
 * The help document without type lines, and without @effect/cli's COMMANDS section (one
 * line per command with every option's usage, and no full path): `commandList` replaces it.
 */
const clean = (doc: HelpDoc.HelpDoc): HelpDoc.HelpDoc => {
  switch (doc._tag) {
    case "Paragraph":
      return TYPE_LINES.has(spanText(doc.value)) ? HelpDoc.empty : doc
    case "Header":
      return spanText(doc.value) === "COMMANDS" ? HelpDoc.empty : doc
    case "Sequence":
      return HelpDoc.sequence(clean(doc.left), clean(doc.right))
    case "DescriptionList":
      return HelpDoc.descriptionList(
        Arr.map(doc.definitions, ([span, body]) => [span, clean(body)] as [Span.Span, HelpDoc.HelpDoc])
      )
    case "Enumeration":
      return HelpDoc.empty
    default:
      return doc
  }
}

/**
 * The command `argv` asks help for, with the names leading to it: the leading words that
 * name a subcommand, level by level (options before or between them are skipped).
 */
const find = (root: Node, args: ReadonlyArray<string>): { node: Node; path: ReadonlyArray<string> } => {
  let node = root
  const path = [nameOf(root)]
  for (const word of args) {
    if (word.startsWith("-")) continue
    const next = childrenOf(node).find((c) => nameOf(c) === word)
    if (next === undefined) break
    node = next
    path.push(word)
  }
  return { node, path }
}

/** The full path of every command under `root` (`fill-tracker auth login`, ...), root first. */
export const commandPaths = <Name extends string, R, E, A>(
  root: Command.Command<Name, R, E, A>
): ReadonlyArray<string> => {
  const node = root.descriptor as unknown as Node
  return [nameOf(node), ...descendants(node, nameOf(node)).map(([p]) => p)]
}

/** Whether `args` (after the executable) ask for help: `--help` or `-h` before any `--`. */
export const wantsHelp = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  const head = end === -1 ? args : args.slice(0, end)
  return head.includes("--help") || head.includes("-h")
}

/** The help text (with ANSI styling; the terminal console removes it off a terminal). */
export const helpText = <Name extends string, R, E, A>(
  root: Command.Command<Name, R, E, A>,
  version: string,
  args: ReadonlyArray<string>
): string => {
  const { node, path } = find(root.descriptor as unknown as Node, args)
  const descriptor = node as unknown as Descriptor.Command<unknown>
  const parents = path.slice(0, -1).join(" ")
  // A command with subcommands runs none of its own: its usage says a subcommand follows.
  const more = childrenOf(node).length > 0 ? " <command>" : ""
  const usages = Usage.enumerate(Descriptor.getUsage(descriptor), CliConfig.defaultConfig).map((span) =>
    HelpDoc.p(Span.spans([Span.text(`$ ${parents === "" ? "" : `${parents} `}`), span, Span.text(more)]))
  )
  const doc = HelpDoc.blocks([
    HelpDoc.h1(Span.code(path.join(" "))),
    HelpDoc.p(`${path[0]} ${version}`),
    HelpDoc.h1("USAGE"),
    ...usages,
    clean(Descriptor.getHelp(descriptor, CliConfig.defaultConfig)),
    commandList(node, path.join(" "))
  ])
  return HelpDoc.toAnsiText(doc)
}
