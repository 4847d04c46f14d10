export * from './apply-script';
export * from './snapshot';
export * from './window-ops';
export * from './window-read';
export * from './window-store';
export * from './rebuild';
export * from './rebuild-script';
export * from './slice-admission';
