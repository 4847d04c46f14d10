export * from './audit-index';
export * from './audit-log';
export * from './audit-writer';
export * from './audit-sink';
