module.exports = require('../jest.preset.cjs').forProject('deploy', __dirname);
