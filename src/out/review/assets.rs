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

/// `form.html`: the viewer of every form page, `form.html#PACK/ID`.
pub const FORM_HTML: &str = r#"<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>shenbao review</title><link rel="stylesheet" href="review.css"></head><body>
<div id="form"><p class="loading">Loading the form…</p><noscript>The form pages of the report are drawn by JavaScript.</noscript></div>
<script src="review.js"></script></body></html>
"#;

/// `review.js`: the viewer (`form.html`) opens a form's pack and draws
/// its page (then marks `#form` with `data-drawn="PACK/ID"`); hovering a box or a field highlights both; clicking one
/// scrolls to the other. On the index: sorting by a column, filtering by
/// warning code or status.
pub const JS: &str = r#"
(function () {
  var raw = {}, packs = {};
  window.shenbaoPack = function (n, data) { raw[n] = data; };
  // pack n, decoded: {forms: {id: {title, body, needs}}, items: {key: text}}
  function pack(n) {
    if (!packs[n]) {
      var name = 'packs/' + n + '.js';
      packs[n] = new Promise(function (ok, fail) {
        var s = document.createElement('script');
        s.src = name;
        s.onload = function () { ok(raw[n]); delete raw[n]; };
        s.onerror = function () { fail(new Error(name + ' could not be loaded')); };
        document.head.appendChild(s);
      }).then(function (b64) {
        if (typeof b64 !== 'string') throw new Error(name + ' holds no pack');
        var bin = atob(b64), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        var gz = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
        return new Response(gz).text();
      }).then(JSON.parse);
    }
    return packs[n];
  }
  function fill(el, text) {
    if (typeof text !== 'string') throw new Error('no item ' + el.getAttribute('data-item'));
    if (el.tagName === 'IMG') el.src = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    else drawDump(el, text.split('\n'));
  }
  function show(root) {
    var m = /^#(\d+)\/([\w-]+)$/.exec(location.hash);
    if (!m) { root.textContent = 'No form in the address: open one from the index.'; return; }
    if (typeof DecompressionStream === 'undefined') {
      root.textContent = 'This browser cannot open the report (it lacks DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or newer can).';
      return;
    }
    delete root.dataset.drawn;
    pack(m[1]).then(function (p) {
      var f = p.forms[m[2]];
      if (!f) throw new Error('form ' + m[2] + ' is not in packs/' + m[1] + '.js');
      document.title = f.title;
      root.innerHTML = f.body;
      var needs = f.needs || {};
      var waits = Array.prototype.map.call(root.querySelectorAll('[data-item]'), function (el) {
        var key = el.getAttribute('data-item');
        return pack(key in needs ? needs[key] : m[1]).then(function (q) { fill(el, q.items[key]); });
      });
      return Promise.all(waits).then(function () {
        wire(root);
        root.dataset.drawn = m[1] + '/' + m[2];
      });
    }).catch(function (e) {
      root.textContent = 'This form could not be drawn: ' + (e && e.message || e);
      console.error(e);
    });
  }
  function wire(root) {
    function same(f) { return root.querySelectorAll('[data-field="' + CSS.escape(f) + '"]'); }
    root.querySelectorAll('[data-field]').forEach(function (el) {
      var f = el.getAttribute('data-field');
      el.addEventListener('mouseenter', function () { same(f).forEach(function (x) { x.classList.add('hl'); }); });
      el.addEventListener('mouseleave', function () { same(f).forEach(function (x) { x.classList.remove('hl'); }); });
      el.addEventListener('click', function () {
        same(f).forEach(function (x) { if (x !== el && x.scrollIntoView) x.scrollIntoView({ block: 'center' }); });
      });
    });
    root.querySelectorAll('.toggles input[data-kind]').forEach(function (box) {
      function apply() {
        var kind = box.getAttribute('data-kind');
        root.querySelectorAll('rect.mark.' + kind).forEach(function (r) {
          r.style.display = box.checked ? 'inline' : 'none';
        });
      }
      box.addEventListener('change', apply);
      apply();
    });
    var dump = root.querySelector('pre.dump');
    if (dump) {
      root.querySelectorAll('tr[data-field]').forEach(function (tr) {
        var f = tr.getAttribute('data-field');
        tr.addEventListener('mouseenter', function () {
          dump.querySelectorAll('[data-line-of="' + CSS.escape(f) + '"]').forEach(function (x) { x.classList.add('hl'); });
        });
        tr.addEventListener('mouseleave', function () {
          dump.querySelectorAll('.hl').forEach(function (x) { x.classList.remove('hl'); });
        });
      });
    }
  }
  // a dump's lines, numbered, the lines a field came from marked
  function drawDump(dump, lines) {
    var claims = JSON.parse(dump.getAttribute('data-claims'));
    var owner = {};
    Object.keys(claims).forEach(function (f) {
      for (var i = claims[f][0]; i <= claims[f][1]; i++) owner[i] = f;
    });
    lines.forEach(function (text, i) {
      var n = i + 1, line = document.createElement('span');
      line.className = 'line' + (owner[n] ? ' claimed' : '');
      if (owner[n]) line.setAttribute('data-line-of', owner[n]);
      var no = document.createElement('span'); no.className = 'no'; no.textContent = n;
      line.appendChild(no); line.appendChild(document.createTextNode(text));
      dump.appendChild(line);
    });
  }
  var form = document.getElementById('form');
  if (form) {
    show(form);
    window.addEventListener('hashchange', function () { show(form); });
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
