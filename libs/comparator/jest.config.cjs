module.exports = require('../../jest.preset.cjs').forProject('comparator-feature', __dirname);
