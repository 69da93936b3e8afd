/* global process, console */
// Lists the longest functions of the production code and the simulators (not test/), by lines, using the TypeScript
// compiler's syntax tree: `node test/support/function-lengths.mjs [top=10]`. Used for the architecture figures
// ("longest functions") in closing notes and reviews; prints `lines<TAB>file:line<TAB>name`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const top = Number(process.argv[2] ?? 10);
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.startsWith('test/') && !f.endsWith('.d.ts'));

const nameOf = (node) => {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return '<anonymous>';
};

const rows = [];
for (const file of files) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const end = source.getLineAndCharacterOfPosition(node.end).line + 1;
      rows.push([end - start + 1, `${file}:${start}`, nameOf(node)]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
rows.sort((a, b) => b[0] - a[0]);
for (const row of rows.slice(0, top)) console.log(row.join('\t'));
