export * from './admission';
export * from './goreplay-join';
export * from './headers';
export * from './routes';
export * from './safe-path';
export * from './sampling';
export * from './targeting';
export * from './destinations';
