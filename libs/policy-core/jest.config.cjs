module.exports = require('../../jest.preset.cjs').forProject('policy-core', __dirname);
