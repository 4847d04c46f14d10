module.exports = require('../../jest.preset.cjs').forProject('aggregator', __dirname);
