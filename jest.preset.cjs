// Shared Jest settings: SWC transpiles (types are checked once by `npm run typecheck`),
// and the workspace's path aliases resolve to each library's public index.
const path = require('node:path');
const { paths } = require('./tsconfig.base.json').compilerOptions;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(paths)) {
  moduleNameMapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = path.join(__dirname, target);
}

/**
 * The test tiers (npm run test:unit|test:int|test:e2e): units need no broker or Redis (*.spec.ts),
 * integration tests use the real ones (*.int.spec.ts), end-to-end tests run real processes (*.e2e.spec.ts).
 */
function tierFilter(tier) {
  const ignored = ['/node_modules/', '/fixtures/'];
  switch (tier) {
    case undefined:
    case '':
    case 'all':
      return { testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: ignored };
    case 'unit':
      return { testMatch: ['**/*.spec.ts'], testPathIgnorePatterns: [...ignored, '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] };
    case 'int':
    case 'e2e':
      return { testMatch: [`**/*.${tier}.spec.ts`], testPathIgnorePatterns: ignored };
    default:
      throw new Error(`PENUMBRA_TEST_TIER must be unit, int, e2e or all (got ${JSON.stringify(tier)})`);
  }
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
  ...tierFilter(process.env.PENUMBRA_TEST_TIER),
};

/** A project's Jest config: the shared settings, its name, and the summary reporter. */
function forProject(displayName, rootDir) {
  return { ...base, displayName, rootDir, reporters: ['default', [path.join(__dirname, 'tools', 'jest', 'summary-reporter.cjs'), { displayName }]] };
}

module.exports = { ...base, forProject };
