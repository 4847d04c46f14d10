module.exports = require('../../jest.preset.cjs').forProject('sentinel', __dirname);
