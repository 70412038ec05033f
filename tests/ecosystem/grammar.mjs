// The TextMate grammar (editors/vscode/syntaxes/rflow.tmLanguage.json)
// through VS Code's own engine (vscode-textmate with Oniguruma): every line
// of every example spec ends outside any string (no construct spills over a
// line), and chosen tokens get their scopes.
//   node grammar.mjs GRAMMAR SPEC...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
const [grammarPath, ...specs] = process.argv.slice(2);
await oniguruma.loadWASM(readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer);
const registry = new textmate.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => textmate.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath),
});
const grammar = await registry.loadGrammar("source.rflow");

function tokenize(text) {
  let state = textmate.INITIAL;
  const lines = [];
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, state);
    lines.push({ line, tokens: r.tokens, endState: r.ruleStack });
    state = r.ruleStack;
  }
  return lines;
}

// The scopes of the first token that covers `text` on a line containing `context`.
function scopesOf(lines, context, text) {
  for (const { line, tokens } of lines) {
    const at = line.indexOf(context);
    if (at < 0) continue;
    const start = line.indexOf(text, at);
    const token = tokens.find((t) => t.startIndex <= start && start < t.endIndex);
    return token ? token.scopes : [];
  }
  return null;
}

let passed = 0, failed = 0;
function check(what, ok, detail) {
  if (ok) { passed++; return; }
  failed++;
  console.log(`FAIL  ${what}${detail ? ": " + detail : ""}`);
}

for (const spec of specs) {
  const lines = tokenize(readFileSync(spec, "utf8"));
  lines.forEach(({ line, endState }, i) =>
    check(`${spec}:${i + 1} ends outside any construct`, endState === textmate.INITIAL ||
          endState.depth === 1, JSON.stringify(line)));
}

const sample = tokenize(readFileSync(new URL("../../specs/shop.rflow", import.meta.url), "utf8"));
const expectations = [
  ["spec shop {", "spec", "keyword.other.declaration.rflow"],
  ["spec shop {", "shop", "entity.name.type.rflow"],
  ["serializer ProductSerializer : ModelSerializer", "ModelSerializer", "entity.other.inherited-class.rflow"],
  ["title = \"Shop API\"", "title", "variable.other.member.rflow"],
  ["title = \"Shop API\"", "Shop API", "string.quoted.double.rflow"],
  ["# ", "#", "comment.line.number-sign.rflow"],
  ["name        = CharField(", "CharField", "support.type.field.rflow"],
  ["max_length = 200", "200", "constant.numeric.rflow"],
  ["is_top      = BooleanField(default = false)", "false", "constant.language.rflow"],
  ["IsAuthenticatedOrReadOnly & (IsOwner", "&", "keyword.operator.logical.rflow"],
  ["IsAuthenticatedOrReadOnly & (IsOwner", "IsAuthenticatedOrReadOnly", "support.class.rflow"],
  ["action create {", "action", "keyword.other.block.rflow"],
  ["action create {", "create", "entity.name.function.rflow"],
  ["extra_action publish", "extra_action", "keyword.other.block.rflow"],
  ["register(\"products\"", "register", "entity.name.function.call.rflow"],
];
for (const [context, text, scope] of expectations) {
  const scopes = scopesOf(sample, context, text);
  check(`${JSON.stringify(text)} in ${JSON.stringify(context)} is ${scope}`,
        scopes && scopes.includes(scope), scopes ? scopes.join(" ") : "line not found");
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
