export * from './fleet-supervisor';
export * from './command-keys';
