export * from './env';
export * from './infrastructure';
export * from './services';
