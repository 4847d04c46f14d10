import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pages' modules under browser/, the entry last. */
const BROWSER_MODULES = ['dom', 'experiment-page', 'console-app'] as const;

async function compiled(dir: string, name: string): Promise<string> {
  if (__filename.endsWith('.js')) return readFileSync(join(dir, 'browser', `${name}.js`), 'utf8');
  const swc = await import('@swc/core');
  const out = await swc.transformFile(join(dir, 'browser', `${name}.ts`), {
    swcrc: false,
    configFile: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2020' },
    module: { type: 'commonjs' },
  });
  return out.code;
}

/**
 * The pages' script: the modules under browser/, compiled by the project's build (SWC, like every
 * file) and served from dist/, or, run from source, compiled here once by the same SWC. Their
 * CommonJS output is linked by a loader of a few lines, so no bundler is needed.
 */
export async function browserScript(dir = __dirname): Promise<string> {
  const defs: string[] = [];
  for (const name of BROWSER_MODULES) {
    const code = (await compiled(dir, name)).replace(/\n\/\/# sourceMappingURL=.*$/gm, '');
    defs.push(`defs[${JSON.stringify(name)}] = function (exports, require) {\n${code}\n};`);
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
