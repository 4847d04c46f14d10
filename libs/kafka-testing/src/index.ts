export * from './child-process';
export * from './crash';
export * from './experiments';
export * from './test-kafka';
