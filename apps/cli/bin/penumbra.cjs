#!/usr/bin/env node
// Runs the TypeScript CLI in place: SWC strips types on load, the workspace's path aliases resolve.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
process.env.SWC_NODE_PROJECT ??= path.join(root, 'tsconfig.base.json');
require('@swc-node/register');
require(path.join(root, 'apps', 'cli', 'src', 'main.ts'));
