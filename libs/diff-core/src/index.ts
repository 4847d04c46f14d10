export * from './json-diff';
export * from './json-text';
export * from './noise';
export * from './paths';
export * from './render';
export * from './response-diff';
export * from './rules';
