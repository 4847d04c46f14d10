module.exports = require('../../jest.preset.cjs').forProject('testing', __dirname);
