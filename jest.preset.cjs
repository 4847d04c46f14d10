// Shared Jest settings: SWC transpiles (types are checked once by `npm run typecheck`),
// and the workspace's path aliases resolve to each library's public index.
const path = require('node:path');
const { paths } = require('./tsconfig.base.json').compilerOptions;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(paths)) {
  moduleNameMapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = path.join(__dirname, target);
}

const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/fixtures/'],
};

/** A project's Jest config: the shared settings, its name, and the summary reporter. */
function forProject(displayName, rootDir) {
  return { ...base, displayName, rootDir, reporters: ['default', [path.join(__dirname, 'tools', 'jest', 'summary-reporter.cjs'), { displayName }]] };
}

module.exports = { ...base, forProject };
