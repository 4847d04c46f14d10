export * from './fleet-supervisor';
