module.exports = require('../../jest.preset.cjs').forProject('sentinel-feature', __dirname);
