module.exports = require('../../jest.preset.cjs').forProject('chaos', __dirname);
