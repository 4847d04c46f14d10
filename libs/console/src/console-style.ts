/** The pages' stylesheet, served as /assets/console.css (kept in TypeScript so the build ships it). */
export const CONSOLE_CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4a4a; --bg: #ffffff; --line: #c8c8c8; --accent: #0b4f9c; --bad: #a40000; --good: #0a6b2b; --mark-bad: #ffe1e1; --mark-good: #dff5e5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #10243e; color: #fff; }
header.top a.brand { color: #fff; font-weight: 700; text-decoration: none; }
header.top #live { margin-left: auto; font-size: .85rem; }
main { padding: 1rem 1.2rem 3rem; max-width: 1200px; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0a500; outline-offset: 1px; }
h1 { font-size: 1.4rem; margin: .4rem 0 .8rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .9em; word-break: break-all; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .6rem; font-size: .85rem; border: 1px solid currentColor; }
.bad { color: var(--bad); }
.good { color: var(--good); }
.muted { color: var(--muted); }
.progress { width: 14rem; height: .8rem; }
mark.diff-primary { background: var(--mark-good); color: var(--fg); }
mark.diff-candidate { background: var(--mark-bad); color: var(--fg); }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
.side-by-side > div { border: 1px solid var(--line); padding: .5rem; }
form.control { display: grid; gap: .5rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); align-items: end; }
form.control label { display: grid; gap: .2rem; }
button { font: inherit; padding: .35rem .8rem; border: 1px solid #10243e; background: #10243e; color: #fff; border-radius: .3rem; cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
input, select, textarea { font: inherit; padding: .3rem; border: 1px solid #767676; border-radius: .2rem; }
#answer { margin-top: .6rem; }
#gates figure { display: inline-block; margin: .4rem 1rem .8rem 0; max-width: 540px; vertical-align: top; }
figcaption { font-size: .85rem; color: var(--muted); }
svg.chart text { font-size: 11px; fill: var(--muted); }
`;
