module.exports = require('../../jest.preset.cjs').forProject('corpus', __dirname);
