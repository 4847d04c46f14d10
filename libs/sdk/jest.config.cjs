module.exports = require('../../jest.preset.cjs').forProject('sdk', __dirname);
