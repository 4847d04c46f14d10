module.exports = require('../../jest.preset.cjs').forProject('rate-limit-shadow', __dirname);
