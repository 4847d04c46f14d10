export * from './audit-index';
export * from './audit-log';
export * from './audit-writer';
