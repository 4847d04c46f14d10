export * from './bootstrap';
export * from './lifecycle';
export * from './service-context';
