export * from './http-server';
export * from './kafka-broker';
export * from './names';
export * from './redis-server';
export * from './wait';
export * from './seed';
export * from './command-keys';
export * from './audit-keys';
