export * from './fleet-supervisor';
export * from './command-keys';
export * from './audit-keys';
export * from './console-login';
export * from './operator-keys';
