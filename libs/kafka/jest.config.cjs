module.exports = require('../../jest.preset.cjs').forProject('kafka', __dirname);
