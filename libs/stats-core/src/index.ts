export * from './log-histogram';
export * from './confidence-sequence';
export * from './seeded-random';
export * from './threshold-test';
