export * from './log-histogram';
