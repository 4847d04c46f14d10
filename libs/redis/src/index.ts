export * from './redis-client';
export * from './lua-script';
