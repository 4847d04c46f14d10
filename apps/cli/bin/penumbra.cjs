#!/usr/bin/env node
// Runs the compiled CLI (npm run build) when it is there and no newer than the sources, else the
// TypeScript sources in place through SWC. PENUMBRA_FROM_SOURCE=1 always takes the sources.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const compiled = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');

/** The newest modification time of any TypeScript source under apps/ and libs/, or 0 when there are none (an image). */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'fixtures') walk(path.join(dir, e.name));
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) {
        newest = Math.max(newest, fs.statSync(path.join(dir, e.name)).mtimeMs);
      }
    }
  };
  walk(path.join(root, 'apps'));
  walk(path.join(root, 'libs'));
  return newest;
}

function useCompiled() {
  if (process.env.PENUMBRA_FROM_SOURCE === '1') return false;
  let builtAt;
  try {
    builtAt = fs.statSync(compiled).mtimeMs;
  } catch {
    return false;
  }
  // A build older than the sources would run yesterday's code: the sources win, silently, as a
  // command's stderr belongs to the command.
  return newestSource() <= builtAt;
}

if (useCompiled()) {
  require(compiled);
} else {
  process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.base.json');
  require('@swc-node/register');
  require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
}
