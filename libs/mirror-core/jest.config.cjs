module.exports = require('../../jest.preset.cjs').forProject('mirror-core', __dirname);
