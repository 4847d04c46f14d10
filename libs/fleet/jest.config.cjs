module.exports = require('../../jest.preset.cjs').forProject('fleet', __dirname);
