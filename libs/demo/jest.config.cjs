module.exports = require('../../jest.preset.cjs').forProject('demo', __dirname);
