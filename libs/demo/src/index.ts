export * from './demo-api';
export * from './demo-experiment';
export * from './demo-replay';
export * from './demo-run';
export * from './demo-stack';
export * from './load-generator';
