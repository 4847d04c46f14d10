module.exports = require('../../jest.preset.cjs').forProject('diff-core', __dirname);
