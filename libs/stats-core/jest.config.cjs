module.exports = require('../../jest.preset.cjs').forProject('stats-core', __dirname);
