module.exports = require('../../jest.preset.cjs').forProject('errors', __dirname);
