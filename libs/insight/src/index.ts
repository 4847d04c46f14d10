export * from './report-data';
export * from './report-render';
export * from './report-svg';
export * from './status';
export * from './report-credentials';
export * from './path-verdicts-view';
