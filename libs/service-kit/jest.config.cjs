module.exports = require('../../jest.preset.cjs').forProject('service-kit', __dirname);
