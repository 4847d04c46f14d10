export * from './log-histogram';
export * from './confidence-sequence';
