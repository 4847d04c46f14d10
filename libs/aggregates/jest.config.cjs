module.exports = require('../../jest.preset.cjs').forProject('aggregates', __dirname);
