module.exports = require('../../jest.preset.cjs').forProject('config', __dirname);
