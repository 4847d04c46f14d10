module.exports = require('../../jest.preset.cjs').forProject('sentinel-state', __dirname);
