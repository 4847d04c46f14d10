module.exports = require('../../jest.preset.cjs').forProject('kafka-testing', __dirname);
