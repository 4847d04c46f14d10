import { SHELL_HTML, browserScript } from './assets';

describe('the console assets', () => {
  const script = browserScript();

  it('links the browser modules into one script that parses, starting the app', () => {
    expect(() => new Function(script)).not.toThrow();
    expect(script).toContain('defs["dom"]');
    expect(script).toContain('load("console-app");');
  });

  it('never writes data as HTML, and the shell loads only its own assets', () => {
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    expect(SHELL_HTML).not.toMatch(/<script>|style=|https?:\/\//);
  });
});
