export * from './bootstrap';
export * from './service-context';
