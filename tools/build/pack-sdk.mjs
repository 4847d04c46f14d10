#!/usr/bin/env node
// npm run pack:sdk: writes dist/packages/penumbra-sdk-<version>.tgz, an installable @penumbra/sdk.
// The workspace libraries the SDK imports travel inside the package (compiled, with their type
// declarations, imports rewritten to relative paths); the packages they use become its declared
// dependencies, at the versions the workspace pins.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stage = join(root, 'dist', 'packages', 'sdk');
const destination = join(root, 'dist', 'packages');
const { paths } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;
const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sdkManifest = JSON.parse(readFileSync(join(root, 'libs', 'sdk', 'package.json'), 'utf8'));

const say = (msg) => process.stderr.write(`[pack:sdk] ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`[pack:sdk] error: ${msg}\n`);
  process.exit(1);
};
const run = (cmd, args, cwd = root) => {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (res.status !== 0) fail(`${cmd} ${args.join(' ')} failed:\n${res.stdout}${res.stderr}`);
  return res.stdout;
};

function files(dir, keep) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), keep) : keep(e.name) ? [join(dir, e.name)] : []));
}

/** The workspace libraries reachable from the SDK's shipped sources. */
function workspaceClosure() {
  const seen = new Set(['sdk']);
  const queue = ['sdk'];
  while (queue.length) {
    const lib = queue.pop();
    const sources = files(join(root, 'libs', lib, 'src'), (n) => n.endsWith('.ts') && !/\.(spec|spec-helpers|fixture)\.ts$/.test(n));
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '@penumbra\/([a-z-]+)'/g)) {
        if (!seen.has(m[1])) {
          seen.add(m[1]);
          queue.push(m[1]);
        }
      }
    }
  }
  return [...seen].sort();
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const libs = workspaceClosure();
say(`bundling ${libs.length} workspace libraries: ${libs.join(', ')}`);
for (const lib of libs) run(process.execPath, [join(root, 'tools', 'build', 'compile.mjs'), `libs/${lib}`, '--out', relative(root, stage)]);

const tsconfig = join(stage, 'tsconfig.declarations.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, outDir: stage, rootDir: root, types: ['node'] },
    files: [join(root, 'libs', 'sdk', 'src', 'index.ts')],
  }),
);
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]);
rmSync(tsconfig);

// The declarations still name @penumbra/<lib>; inside the package they are relative paths.
const aliases = Object.fromEntries(Object.entries(paths).map(([alias, [target]]) => [alias, join(stage, target.replace(/\.ts$/, ''))]));
const externals = new Set();
for (const file of files(stage, (n) => n.endsWith('.d.ts') || n.endsWith('.js'))) {
  const text = readFileSync(file, 'utf8').replace(/(from |import\(|require\()(['"])(@penumbra\/[a-z-]+)\2/g, (all, lead, quote, alias) => {
    if (!aliases[alias]) fail(`${relative(stage, file)} imports ${alias}, which is not a workspace library`);
    let rel = relative(dirname(file), aliases[alias]);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${quote}${rel}${quote}`;
  });
  writeFileSync(file, text);
  // Only code names modules: a comment may well say `from "x"` in prose.
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    .join('\n');
  for (const m of code.matchAll(/(?:from |import\(|require\()['"]([^'".][^'"]*)['"]/g)) {
    if (m[1].startsWith('node:')) continue;
    externals.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
  }
}
const versions = { ...workspace.devDependencies, ...workspace.dependencies };
const dependencies = {};
for (const name of [...externals].sort()) {
  if (name.startsWith('@penumbra/')) fail(`an import of ${name} was left unrewritten`);
  if (!versions[name]) fail(`the SDK uses ${name}, which the workspace does not pin`);
  if (name !== '@types/node') dependencies[name] = versions[name];
}

const manifest = {
  name: sdkManifest.name,
  version: sdkManifest.version,
  description: sdkManifest.description,
  license: sdkManifest.license,
  engines: sdkManifest.engines,
  main: 'libs/sdk/src/index.js',
  types: 'libs/sdk/src/index.d.ts',
  files: ['libs', 'README.md'],
  dependencies,
  peerDependencies: { '@types/node': '>=20' },
  peerDependenciesMeta: { '@types/node': { optional: true } },
};
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
cpSync(join(root, 'libs', 'sdk', 'README.md'), join(stage, 'README.md'));
const out = run('npm', ['pack', '--json', '--pack-destination', destination], stage);
const [packed] = JSON.parse(out);
say(
  `dependencies: ${Object.entries(dependencies)
    .map(([n, v]) => `${n}@${v}`)
    .join(', ')}`,
);
process.stdout.write(`${join(destination, packed.filename)}\n`);
