//! The report's stylesheet and script, written once per report.

/// `review.css`.
pub const CSS: &str = r#"
body { font: 14px/1.4 sans-serif; margin: 0; color: #222; }
header { padding: 8px 16px; background: #f4f4f4; border-bottom: 1px solid #ddd; }
header h1 { font-size: 18px; margin: 4px 0; }
main.form { display: flex; gap: 16px; padding: 16px; align-items: flex-start; }
section.pages { flex: 0 0 58%; }
section.fields { flex: 1; max-height: 95vh; overflow: auto; position: sticky; top: 8px; }
figure.page { margin: 0 0 16px; }
.sheet { position: relative; width: 100%; border: 1px solid #bbb; }
.sheet img { display: block; width: 100%; height: 100%; }
.sheet svg.overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
svg.overlay rect { fill-opacity: 0.12; stroke-width: 1.2; cursor: pointer; }
rect.read, tr.read { fill: #2a7; stroke: #2a7; }
rect.warned, tr.warned { fill: #e90; stroke: #e90; }
rect.low, tr.low { fill: #d3a; stroke: #d3a; }
rect.right { fill: #2a7; stroke: #2a7; }
rect.wrong, rect.silent { fill: #d22; stroke: #d22; fill-opacity: 0.25; }
rect.hl { fill-opacity: 0.45; stroke-width: 3; }
rect.mark { fill: none; stroke-width: 0.8; pointer-events: visibleStroke; }
rect.mark.cell { stroke: #39f; stroke-dasharray: 2 2; display: none; }
rect.mark.join { stroke: #93f; stroke-width: 2; }
rect.mark.orphan { stroke: #d22; stroke-dasharray: 4 2; stroke-width: 1.5; }
rect.mark.free { stroke: #888; stroke-dasharray: 1 2; }
.toggles { font-size: 12px; margin-bottom: 6px; }
h2 { font-size: 16px; margin: 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 6px; text-align: left; vertical-align: top; }
tr.hl { background: #fff3c4; }
td.value { white-space: pre-wrap; max-width: 28em; }
.state { font-size: 12px; padding: 1px 5px; border-radius: 3px; color: #fff; }
.state.read, .state.ok, .state.right { background: #2a7; }
.state.warned, .state.warnings { background: #e90; }
.state.low { background: #d3a; }
.state.failed, .state.wrong, .state.silent { background: #d22; }
.warn { color: #a60; font-size: 12px; }
pre.dump { font: 12px/1.5 monospace; margin: 0; white-space: pre-wrap; }
pre.dump span.line { display: block; }
pre.dump span.line.claimed { background: #e6f6ec; }
pre.dump span.line.hl { background: #fff3c4; }
pre.dump span.no { color: #999; display: inline-block; width: 4em; user-select: none; }
table.index th { cursor: pointer; background: #f4f4f4; position: sticky; top: 0; }
.controls { padding: 8px 16px; }
"#;

/// `review.js`: hovering a box or a field highlights both; clicking one
/// scrolls to the other. On the index: sorting by a column, filtering by
/// warning code or status.
pub const JS: &str = r#"
(function () {
  function same(f) { return document.querySelectorAll('[data-field="' + CSS.escape(f) + '"]'); }
  document.querySelectorAll('[data-field]').forEach(function (el) {
    var f = el.getAttribute('data-field');
    el.addEventListener('mouseenter', function () { same(f).forEach(function (x) { x.classList.add('hl'); }); });
    el.addEventListener('mouseleave', function () { same(f).forEach(function (x) { x.classList.remove('hl'); }); });
    el.addEventListener('click', function () {
      same(f).forEach(function (x) { if (x !== el && x.scrollIntoView) x.scrollIntoView({ block: 'center' }); });
    });
  });
  document.querySelectorAll('.toggles input[data-kind]').forEach(function (box) {
    function apply() {
      var kind = box.getAttribute('data-kind');
      document.querySelectorAll('rect.mark.' + kind).forEach(function (r) {
        r.style.display = box.checked ? 'inline' : 'none';
      });
    }
    box.addEventListener('change', apply);
    apply();
  });
  var dump = document.querySelector('pre.dump');
  if (dump && window.SHENBAO_DUMP) {
    var claims = JSON.parse(dump.getAttribute('data-claims'));
    var owner = {};
    Object.keys(claims).forEach(function (f) {
      for (var i = claims[f][0]; i <= claims[f][1]; i++) owner[i] = f;
    });
    window.SHENBAO_DUMP.forEach(function (text, i) {
      var n = i + 1, line = document.createElement('span');
      line.className = 'line' + (owner[n] ? ' claimed' : '');
      if (owner[n]) line.setAttribute('data-line-of', owner[n]);
      var no = document.createElement('span'); no.className = 'no'; no.textContent = n;
      line.appendChild(no); line.appendChild(document.createTextNode(text));
      dump.appendChild(line);
    });
    document.querySelectorAll('tr[data-field]').forEach(function (tr) {
      var f = tr.getAttribute('data-field');
      tr.addEventListener('mouseenter', function () {
        dump.querySelectorAll('[data-line-of="' + CSS.escape(f) + '"]').forEach(function (x) { x.classList.add('hl'); });
      });
      tr.addEventListener('mouseleave', function () {
        dump.querySelectorAll('.hl').forEach(function (x) { x.classList.remove('hl'); });
      });
    });
  }
  var index = document.querySelector('table.index:not(.reports)');
  if (index) {
    var body = index.tBodies[0];
    index.querySelectorAll('th').forEach(function (th, col) {
      th.addEventListener('click', function () {
        var rows = Array.prototype.slice.call(body.rows), asc = th.dataset.asc !== '1';
        th.dataset.asc = asc ? '1' : '0';
        rows.sort(function (a, b) {
          var x = a.cells[col].dataset.v || a.cells[col].textContent, y = b.cells[col].dataset.v || b.cells[col].textContent;
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    var filter = document.getElementById('filter');
    filter.addEventListener('change', function () {
      var v = filter.value;
      Array.prototype.forEach.call(body.rows, function (r) {
        var codes = (r.dataset.codes || '').split(' ');
        r.style.display = (!v || codes.indexOf(v) >= 0 || r.dataset.status === v) ? '' : 'none';
      });
    });
  }
})();
"#;
