module.exports = require('../../jest.preset.cjs').forProject('cli', __dirname);
