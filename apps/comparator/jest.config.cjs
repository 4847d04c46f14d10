module.exports = require('../../jest.preset.cjs').forProject('comparator', __dirname);
