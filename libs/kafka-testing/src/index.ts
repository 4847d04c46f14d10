export * from './test-kafka';
