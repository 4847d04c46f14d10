module.exports = require('../../jest.preset.cjs').forProject('credentials', __dirname);
