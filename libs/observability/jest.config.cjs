module.exports = require('../../jest.preset.cjs').forProject('observability', __dirname);
