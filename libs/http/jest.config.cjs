module.exports = require('../../jest.preset.cjs').forProject('http', __dirname);
