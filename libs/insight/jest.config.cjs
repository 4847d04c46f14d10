module.exports = require('../../jest.preset.cjs').forProject('insight', __dirname);
