export * from './child-process';
export * from './crash';
export * from './experiments';
export * from './pairs';
export * from './test-kafka';
export * from './caught-up';
