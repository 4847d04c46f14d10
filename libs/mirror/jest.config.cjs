module.exports = require('../../jest.preset.cjs').forProject('mirror', __dirname);
