export * from './command-history';
export * from './control-router';
export * from './experiment-evaluator';
export * from './operator-keys';
export * from './outputs';
export * from './sentinel-metrics';
