export * from './apply-script';
export * from './window-ops';
export * from './window-read';
export * from './window-store';
