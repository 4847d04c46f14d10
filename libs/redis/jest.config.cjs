module.exports = require('../../jest.preset.cjs').forProject('redis', __dirname);
