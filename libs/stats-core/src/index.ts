export * from './log-histogram';
export * from './confidence-sequence';
export * from './seeded-random';
