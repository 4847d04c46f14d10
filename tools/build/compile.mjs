#!/usr/bin/env node
// Compiles one Nx project's TypeScript sources to CommonJS under dist/, file by file with SWC (the
// type-check runs once, with isolatedModules, so a per-file transform is exact). Imports of
// @penumbra/<lib> become relative paths into dist/, so the output runs with plain `node`.
//
//   node tools/build/compile.mjs <projectRoot> [--out dist]
import { transformFile } from '@swc/core';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const project = args.find((a) => !a.startsWith('-'));
const outIndex = args.indexOf('--out');
const outRoot = resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'dist');
if (!project) {
  process.stderr.write('usage: node tools/build/compile.mjs <projectRoot> [--out dist]\n');
  process.exit(2);
}

/** Tests and their helpers stay out of the shipped output. */
const isShipped = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.(spec|int\.spec|e2e\.spec|spec-helpers|fixture)\.ts$/.test(name);

function sources(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') found.push(...sources(path));
    } else if (isShipped(entry.name)) found.push(path);
  }
  return found;
}

const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const { paths } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;
const srcDir = join(root, project, 'src');
const outDir = join(outRoot, project, 'src');
rmSync(outDir, { recursive: true, force: true });

const files = sources(srcDir);
let written = 0;
await Promise.all(
  files.map(async (file) => {
    const output = await transformFile(file, {
      ...swcrc,
      $schema: undefined,
      swcrc: false,
      configFile: false,
      filename: file,
      sourceMaps: true,
      jsc: { ...swcrc.jsc, baseUrl: root, paths },
      // Packages load on first use, so a command (or `--help`) pays only for what it touches.
      module: { ...swcrc.module, lazy: true },
    });
    const target = join(outRoot, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (output.map) writeFileSync(`${target}.map`, output.map);
    written += 1;
  }),
);
process.stdout.write(`${project}: ${written} files compiled into ${relative(root, outDir)}\n`);
