module.exports = require('../../jest.preset.cjs').forProject('audit-sink', __dirname);
