module.exports = require('../../jest.preset.cjs').forProject('bench', __dirname);
