export * from './fleet-supervisor';
export * from './command-keys';
export * from './audit-keys';
export * from './operator-keys';
