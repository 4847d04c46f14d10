import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { findWorkspaceRoot } from '@penumbra/config';

/** The pages' modules under browser/, the entry last. */
const BROWSER_MODULES = ['dom', 'experiment-page', 'console-app'] as const;

/**
 * The browser modules as JavaScript: compiled by the project's build (`npm run build`, SWC, like
 * every file) next to this file; run from source, the same build script compiles the console
 * once into a temporary directory.
 */
function compiledDir(dir: string): { dir: string; cleanup: () => void } {
  if (__filename.endsWith('.js')) return { dir: join(dir, 'browser'), cleanup: () => undefined };
  const root = findWorkspaceRoot(dir);
  const project = relative(root, dirname(dir));
  const out = mkdtempSync(join(tmpdir(), 'penumbra-console-'));
  execFileSync(process.execPath, [join(root, 'tools', 'build', 'compile.mjs'), project, '--out', out], { cwd: root, stdio: 'ignore', timeout: 60_000 });
  return { dir: join(out, project, 'src', 'browser'), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

/** The pages' one script: the browser modules' CommonJS output linked by a loader of a few lines, so no bundler is needed. */
export function browserScript(dir = __dirname): string {
  const compiled = compiledDir(dir);
  const defs: string[] = [];
  try {
    for (const name of BROWSER_MODULES) {
      const code = readFileSync(join(compiled.dir, `${name}.js`), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/gm, '');
      defs.push(`defs[${JSON.stringify(name)}] = function (exports, require) {\n${code}\n};`);
    }
  } finally {
    compiled.cleanup();
  }
  return [
    '(function () {',
    '"use strict";',
    'var defs = {}, cache = {};',
    'function load(name) { var key = name.replace(/^\\.\\//, ""); if (!cache[key]) { cache[key] = {}; defs[key](cache[key], load); } return cache[key]; }',
    ...defs,
    `load(${JSON.stringify(BROWSER_MODULES[BROWSER_MODULES.length - 1])});`,
    '})();',
    '',
  ].join('\n');
}

export const SHELL_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Penumbra console</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header class="top"><a class="brand" href="/">Penumbra console</a><span id="live" role="status" aria-live="polite"></span><span id="me"></span></header>
<main id="app" tabindex="-1"><p>Loading…</p></main>
<noscript><p>The console needs JavaScript; the same data is served as JSON under /api.</p></noscript>
</body>
</html>
`;
