module.exports = require('../../jest.preset.cjs').forProject('audit', __dirname);
