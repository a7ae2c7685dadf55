/**
 * Every user-facing string of the UI comes from the message catalogues (issue 12). A static check of
 * app/**\/*.tsx and components/**\/*.tsx with the TypeScript parser, which reports:
 * - JSX text containing a letter (`<p>Hello</p>`);
 * - string literals given to the attributes people read or hear: aria-label, aria-description, title,
 *   placeholder, alt, label (`aria-label="Main"`, `title={"x"}`);
 * - string literals rendered from a JSX expression: `{ok ? "Yes" : "No"}`, `{a && " (sysadmin)"}`,
 *   template literals with text (`{`${n} files`}`). Arguments of calls (`t("key")`) are not rendered text;
 * - the page title and description of a static `export const metadata = {title: "…"}`.
 * Not reported: strings without a letter ("—", " · "), and all-caps tokens such as "CKAN", "S3", "PUT".
 *
 * UNCONVERTED lists the files not yet routed through next-intl (phase 2 of issue 12 empties it). A listed
 * file that has become clean fails too, so the list only shrinks.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

/** Files whose strings are still English literals (issue 12, phase 2). Keep sorted; only ever remove. */
const UNCONVERTED: readonly string[] = [];

const READ_ATTRIBUTES = new Set(["aria-label", "aria-description", "aria-placeholder", "aria-valuetext", "title", "placeholder", "alt", "label"]);

function hasText(s: string): boolean {
  const t = s.trim();
  return /\p{L}/u.test(t) && !/^[A-Z][A-Z0-9_]*$/.test(t);
}

function uiFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...uiFiles(rel));
    else if (entry.name.endsWith(".tsx") && !entry.name.endsWith(".test.tsx")) out.push(rel);
  }
  return out;
}

/** String literals that an expression renders (through ?:, &&, ||, ??, parentheses), not those passed to calls. */
function renderedLiterals(expr: ts.Expression | undefined, found: ts.Node[]): void {
  if (!expr) return;
  if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) {
    if (hasText(expr.text)) found.push(expr);
  } else if (ts.isTemplateExpression(expr)) {
    if (hasText(expr.head.text) || expr.templateSpans.some((s) => hasText(s.literal.text))) found.push(expr);
    for (const span of expr.templateSpans) renderedLiterals(span.expression, found);
  } else if (ts.isConditionalExpression(expr)) {
    renderedLiterals(expr.whenTrue, found);
    renderedLiterals(expr.whenFalse, found);
  } else if (ts.isBinaryExpression(expr) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(expr.operatorToken.kind)) {
    renderedLiterals(expr.left, found);
    renderedLiterals(expr.right, found);
  } else if (ts.isParenthesizedExpression(expr)) {
    renderedLiterals(expr.expression, found);
  }
}

/** Title and description literals of a Next.js `metadata` object (also `title: {default, template}`). */
function metadataLiterals(expr: ts.Expression, found: ts.Node[]): void {
  if (!ts.isObjectLiteralExpression(expr)) return;
  for (const prop of expr.properties) {
    if (!ts.isPropertyAssignment(prop) || !["title", "description", "default", "template"].includes(prop.name.getText())) continue;
    if (ts.isObjectLiteralExpression(prop.initializer)) metadataLiterals(prop.initializer, found);
    else renderedLiterals(prop.initializer, found);
  }
}

/** `file:line: text` of each user-facing literal in `source`. */
export function findLiterals(fileName: string, source: string): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && hasText(node.text)) found.push(node);
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) {
        if (hasText(node.initializer.text)) found.push(node.initializer);
      } else if (ts.isJsxExpression(node.initializer)) renderedLiterals(node.initializer.expression, found);
    }
    if (ts.isVariableDeclaration(node) && node.name.getText(sf) === "metadata" && node.initializer) metadataLiterals(node.initializer, found);
    if (ts.isJsxExpression(node) && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      renderedLiterals(node.expression, found);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.map((n) => `${fileName}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${n.getText(sf).trim().replace(/\s+/g, " ").slice(0, 80)}`);
}

describe("UI strings come from the catalogues", () => {
  const files = [...uiFiles("app"), ...uiFiles("components")].sort();
  const literals = new Map(files.map((f) => [f, findLiterals(f, fs.readFileSync(path.join(root, f), "utf8"))]));

  it("no converted file renders a string literal", () => {
    expect(files.filter((f) => !UNCONVERTED.includes(f)).flatMap((f) => literals.get(f) ?? [])).toEqual([]);
  });

  it("the list of unconverted files names only existing files that still have literals (it only shrinks)", () => {
    expect(UNCONVERTED.filter((f) => !literals.has(f) || literals.get(f)!.length === 0)).toEqual([]);
  });

  it("the check finds JSX text, read attributes and rendered literals, and skips translation keys", () => {
    const src = `export const metadata = { title: "Upload files" };\nexport const A = () => (<p title="Hint" aria-label={"Main"}>Hello {n} <b>{ok ? "Yes" : t("no")}</b>{" · "}{x && \`\${n} files\`}<i>CKAN</i></p>);`;
    expect(findLiterals("x.tsx", src).map((l) => l.replace(/^x\.tsx:\d: /, ""))).toEqual(['"Upload files"', '"Hint"', '"Main"', "Hello", '"Yes"', "`${n} files`"]);
  });
});
