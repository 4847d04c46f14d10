module.exports = require('../../jest.preset.cjs').forProject('audit-sink-feature', __dirname);
