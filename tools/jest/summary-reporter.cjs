// Appends one JSON line per Jest run to PENUMBRA_TEST_SUMMARY, so the test command can print
// one total across every project.
const { appendFileSync } = require('node:fs');

class SummaryReporter {
  constructor(globalConfig, options) {
    this.displayName = options?.displayName ?? 'jest';
  }

  onRunComplete(_contexts, results) {
    const file = process.env.PENUMBRA_TEST_SUMMARY;
    if (!file) return;
    const line = {
      project: this.displayName,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = SummaryReporter;
