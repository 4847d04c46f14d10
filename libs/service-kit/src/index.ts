export * from './batch-transport';
export * from './bootstrap';
export * from './lifecycle';
export * from './run-service';
export * from './service-context';
export * from './service-providers';
export * from './experiment-trust';
export * from './rejection-limiter';
