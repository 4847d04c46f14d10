export * from './experiment-registry';
export * from './goreplay-handler';
export * from './mirror-counts';
export * from './mirror-engine';
export * from './mirror-metrics';
export * from './traffic-handler';
export * from './replay-run';
export * from './counts-publisher';
