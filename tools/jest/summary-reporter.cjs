// Records each Jest run's totals, so the test command can print one total across every project:
// one JSON line appended to PENUMBRA_TEST_SUMMARY, and/or the JSON written to PENUMBRA_TEST_RESULT
// (a tier's per-project file, which Nx restores with a cached run).
const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.displayName = options?.displayName ?? 'jest';
  }

  onRunComplete(_contexts, results) {
    const line = {
      project: this.displayName,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    const summary = process.env.PENUMBRA_TEST_SUMMARY;
    if (summary) appendFileSync(summary, `${JSON.stringify(line)}\n`);
    const result = process.env.PENUMBRA_TEST_RESULT;
    if (result) {
      mkdirSync(dirname(result), { recursive: true });
      writeFileSync(result, `${JSON.stringify(line)}\n`);
    }
  }
}

module.exports = SummaryReporter;
