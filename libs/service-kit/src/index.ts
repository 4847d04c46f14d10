export * from './bootstrap';
export * from './lifecycle';
export * from './run-service';
export * from './service-context';
