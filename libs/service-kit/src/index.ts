export * from './bootstrap';
export * from './lifecycle';
export * from './run-service';
export * from './service-context';
export * from './experiment-trust';
export * from './rejection-limiter';
