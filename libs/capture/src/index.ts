export * from './capture-middleware';
export * from './capture-proxy';
export * from './capture-publisher';
export * from './capture-record';
export * from './credentials';
