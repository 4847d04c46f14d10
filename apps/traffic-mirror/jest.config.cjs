module.exports = require('../../jest.preset.cjs').forProject('traffic-mirror', __dirname);
