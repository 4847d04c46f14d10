export * from './comparator-handler';
export * from './comparator-metrics';
export * from './compare-pair';
export * from './noise-judge';
export * from './noise-store';
export * from './noise-counters';
export * from './diff-credentials';
export * from './decided-paths';
