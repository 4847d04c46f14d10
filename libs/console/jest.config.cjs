module.exports = require('../../jest.preset.cjs').forProject('console-feature', __dirname);
