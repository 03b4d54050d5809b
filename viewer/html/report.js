/*
 * The HTML report's script (wasitrace export --format html). Vanilla, no
 * library: it reads the JSON blocks html.c wrote (wt-calls, wt-meta,
 * wt-stats, wt-series) and draws the summary, the timeline, the state
 * chart, the virtualised call table and the detail pane. Trace text is
 * hostile: it only ever reaches the page through textContent.
 */
(function () {
  'use strict';
  var ROW = 22, MAX_LANES = 8;

  function $(id) { return document.getElementById(id); }
  function load(id) {
    var e = $(id);
    if (!e) return null;
    try { return JSON.parse(e.textContent); } catch (err) { return null; }
  }
  function parseJ(s) {
    if (typeof s !== 'string') return s;
    try { return JSON.parse(s); } catch (err) { return null; }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function num(v) { return typeof v === 'number' ? v : Number(v) || 0; }
  function fmtNs(ns) {
    ns = num(ns);
    if (ns < 1e3) return ns.toFixed(0) + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(ns < 1e4 ? 2 : 1) + ' \u00b5s';
    if (ns < 1e9) return (ns / 1e6).toFixed(ns < 1e7 ? 2 : 1) + ' ms';
    return (ns / 1e9).toFixed(3) + ' s';
  }
  function fmtSec(ns) { return '+' + (num(ns) / 1e9).toFixed(6); }

  var calls = load('wt-calls') || [];
  var meta = load('wt-meta') || {};
  var stats = load('wt-stats');
  var series = load('wt-series') || { tracks: [], points: [] };
  var M = meta.entries || {};

  /* ---- derived per call ------------------------------------------------ */
  var families = [], famIndex = {}, maxDepth = 0, tMin = Infinity, tMax = 0;
  calls.forEach(function (c, i) {
    c.i = i;
    c.t0 = num(c.start_ns);
    c.t1 = c.t0 + num(c.dur_ns);
    c.failed = c.errno !== 'SUCCESS';
    c.denied = !!(c.denials && c.denials.length);
    if (!(c.fam in famIndex)) { famIndex[c.fam] = families.length; families.push(c.fam); }
    c.depth = Math.min(num(c.depth), MAX_LANES - 1);
    if (c.depth > maxDepth) maxDepth = c.depth;
    if (c.t0 < tMin) tMin = c.t0;
    if (c.t1 > tMax) tMax = c.t1;
  });
  /* What only the fd and path filters need, made on first use: the page
   * must answer quickly after loading 100,000 calls. */
  function fdset(c) { return c.fdset || (c.fdset = fdsOf(c)); }
  function lower(c) { return c.lc !== undefined ? c.lc : (c.lc = (c.line || '').toLowerCase()); }
  if (!calls.length) { tMin = 0; tMax = 1; }
  if (tMax <= tMin) tMax = tMin + 1;

  function fdsOf(c) {
    var s = {};
    function scan(o) {
      if (!o || typeof o !== 'object') return;
      Object.keys(o).forEach(function (k) {
        if (/fd$/.test(k) && typeof o[k] === 'number') s[o[k]] = 1;
      });
    }
    scan(c.args); scan(c.results);
    if (c.fds) Object.keys(c.fds).forEach(function (k) { s[k] = 1; });
    return s;
  }

  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#76b7b2', '#edc948', '#b07aa1',
    '#ff9da7', '#9c755f', '#bab0ac', '#86bcb6', '#8cd17d', '#d4a6c8', '#a0cbe8', '#ffbe7d'];
  function famColor(f) { return PALETTE[(famIndex[f] || 0) % PALETTE.length]; }

  /* ---- summary ---------------------------------------------------------- */
  function kv(table, k, v) {
    var tr = el('tr');
    tr.appendChild(el('th', null, k));
    tr.appendChild(el('td', null, v === undefined || v === null || v === '' ? '\u2014' : v));
    table.appendChild(tr);
  }
  function badge(text, cls) { $('badges').appendChild(el('span', 'badge ' + (cls || ''), text)); }

  function endText() {
    var e = M.end;
    if (e === 'exit') return 'exit ' + M.exit_code;
    if (e === 'trap') return 'trap: ' + (M.trap || '?');
    if (e === 'signal') return 'signal ' + M.signal;
    return e ? e + (M.interrupted ? ' (' + M.interrupted + ')' : '') : 'unknown';
  }

  function summary() {
    var run = $('run'), argv = parseJ(M.argv), env = parseJ(M.env), pre = parseJ(M.preopens);
    var dur = (M.end_time_ns && M.start_time_ns) ? M.end_time_ns - M.start_time_ns : null;
    var complete = stats && stats.run ? stats.run.complete : M.end && M.end !== 'incomplete';
    $('title').textContent = M.module_name || 'report';
    document.title = 'wasitrace: ' + (M.module_name || 'report');
    kv(run, 'module', M.module_name);
    kv(run, 'SHA-256', M.module_sha256);
    kv(run, 'args', Array.isArray(argv) ? argv.map(function (a) { return JSON.stringify(a); }).join(' ') : M.argv);
    kv(run, 'env', Array.isArray(env) ? (env.length ? env.join('\n') : '(empty)') : M.env);
    kv(run, 'preopens', Array.isArray(pre) ? pre.map(function (p) {
      return (p && p.guest) + ' \u2190 ' + (p && p.host); }).join('\n') : M.preopens);
    kv(run, 'ended', endText());
    kv(run, 'duration', dur !== null && dur >= 0 ? fmtNs(dur) : null);
    kv(run, 'started', M.start_time);
    kv(run, 'calls', String(meta.total_calls !== undefined ? meta.total_calls : calls.length));
    kv(run, 'complete', complete ? 'yes' : 'no' + (stats && stats.run && stats.run.partial ? ': ' + stats.run.partial : ''));
    kv(run, 'capture', M.capture);
    kv(run, 'recorded by', M.tool_version ? 'wasitrace ' + M.tool_version : null);
    badge(endText(), M.end === 'exit' ? (M.exit_code === 0 ? 'ok' : 'warn') : M.end === 'incomplete' ? 'warn' : 'bad');
    badge(complete ? 'complete' : 'incomplete', complete ? '' : 'warn');
    badge((meta.total_calls || calls.length) + ' calls');
    if (meta.note) { $('note').hidden = false; $('note').textContent = meta.note; }
    statsTables();
  }

  function row(table, cells, head) {
    var tr = el('tr');
    cells.forEach(function (c) {
      var td = el(head ? 'th' : 'td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      tr.appendChild(td);
    });
    table.appendChild(tr);
  }

  function statsTables() {
    var top = $('top');
    if (!stats) { row(top, ['no summary'], true); return; }
    row(top, ['call', 'calls', 'errors', 'total', 'max', 'share'], true);
    (stats.calls || []).slice(0, 12).forEach(function (s) {
      var share = el('span'), bar = el('span', 'sharebar');
      bar.style.width = Math.max(1, Math.round(60 * num(s.share))) + 'px';
      share.appendChild(bar);
      share.appendChild(document.createTextNode((100 * num(s.share)).toFixed(1) + '%'));
      row(top, [s.call, s.count, s.errors, fmtNs(s.total_ns), fmtNs(s.max_ns), share]);
    });
    counts($('errs'), stats.errors, 'errno');
    counts($('dens'), stats.denials, 'source');
  }
  function counts(table, obj, what) {
    var keys = Object.keys(obj || {});
    row(table, [what, 'calls'], true);
    if (!keys.length) row(table, ['none', '']);
    keys.sort(function (a, b) { return obj[b] - obj[a]; }).forEach(function (k) { row(table, [k, obj[k]]); });
  }

  /* ---- timeline and state chart ---------------------------------------- */
  var view = { t0: tMin, t1: tMax }, selected = null;
  var tl = $('timeline'), st = $('state');
  var lanes = maxDepth + 1, AXIS = 22, LANE = 26;

  function legend() {
    var lg = $('legend');
    families.forEach(function (f) {
      var s = el('span'), i = el('i');
      i.style.background = famColor(f);
      s.appendChild(i); s.appendChild(document.createTextNode(f));
      lg.appendChild(s);
    });
    var d = el('span'), b = el('i'); b.style.background = '#d33a2c';
    d.appendChild(b); d.appendChild(document.createTextNode('failed'));
    lg.appendChild(d);
    var n = el('span'), t = el('i'); t.style.background = '#8e24aa';
    n.appendChild(t); n.appendChild(document.createTextNode('denied'));
    lg.appendChild(n);
  }

  function sizeCanvas(cv, h) {
    var dpr = window.devicePixelRatio || 1, w = cv.clientWidth || 800;
    cv.style.height = h + 'px';
    cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr);
    var ctx = cv.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { ctx: ctx, w: w, h: h };
  }
  function xOf(t, w) { return (t - view.t0) / (view.t1 - view.t0) * w; }

  function axis(ctx, w) {
    var span = view.t1 - view.t0, step = Math.pow(10, Math.floor(Math.log10(span / 6)));
    if (span / step > 12) step *= 5; else if (span / step > 6) step *= 2;
    ctx.fillStyle = '#6b7385'; ctx.strokeStyle = '#e2e5eb'; ctx.font = '11px system-ui, sans-serif';
    /* Round times since the first call, which is what the labels say. */
    for (var r = Math.ceil((view.t0 - tMin) / step) * step; tMin + r <= view.t1; r += step) {
      var x = Math.round(xOf(tMin + r, w)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, 14); ctx.lineTo(x, 1e4); ctx.stroke();
      ctx.fillText(r === 0 ? '0' : fmtNs(r), x + 3, 11);
    }
  }

  function drawTimeline() {
    var c = sizeCanvas(tl, AXIS + lanes * LANE + 6), ctx = c.ctx, w = c.w;
    var last = [];
    ctx.clearRect(0, 0, w, c.h);
    axis(ctx, w);
    for (var i = 0; i < calls.length; i++) {
      var k = calls[i];
      if (k.t1 < view.t0 || k.t0 > view.t1) continue;
      var x0 = xOf(k.t0, w), x1 = xOf(k.t1, w), y = AXIS + k.depth * LANE;
      var px = Math.floor(x0), wd = Math.max(1, x1 - x0), key = px + ':' + k.fam + k.failed + k.denied;
      if (wd < 2 && last[k.depth] === key) continue; /* same pixel, same look */
      last[k.depth] = key;
      ctx.fillStyle = famColor(k.fam);
      ctx.fillRect(x0, y + 3, wd, LANE - 9);
      if (k.failed) { ctx.fillStyle = '#d33a2c'; ctx.fillRect(x0, y + LANE - 6, Math.max(wd, 2), 3); }
      if (k.denied) {
        ctx.fillStyle = '#8e24aa'; ctx.beginPath();
        ctx.moveTo(x0 - 4, y); ctx.lineTo(x0 + 4, y); ctx.lineTo(x0, y + 6); ctx.fill();
      }
      if (wd > 40) {
        ctx.fillStyle = '#fff'; ctx.font = '11px system-ui, sans-serif';
        ctx.save(); ctx.beginPath(); ctx.rect(x0, y, wd, LANE); ctx.clip();
        ctx.fillText(k.call, x0 + 3, y + LANE - 10); ctx.restore();
      }
    }
    if (selected) {
      var sx = xOf(selected.t0, w), sw = Math.max(3, xOf(selected.t1, w) - sx);
      ctx.strokeStyle = '#1d2330'; ctx.lineWidth = 2;
      ctx.strokeRect(sx - 1, AXIS + selected.depth * LANE + 2, sw + 2, LANE - 6);
      ctx.lineWidth = 1;
    }
  }

  /* Points per track, in time order. */
  var tracks = (series.tracks || []).map(function (t) {
    var name = t.kind === 'open' ? 'open fds' : t.kind === 'epoll' ? 'epoll ' + t.fd + ' ready' : 'eventfd ' + t.fd;
    return { name: name, pts: [], max: 1 };
  });
  (series.points || []).forEach(function (p) {
    var t = tracks[p[1]];
    if (!t) return;
    t.pts.push([num(p[0]), num(p[2])]);
    if (num(p[2]) > t.max) t.max = num(p[2]);
  });
  var shown = tracks.filter(function (t) { return t.pts.length; }).slice(0, 10);

  function drawState() {
    var H = 30, c = sizeCanvas(st, AXIS + Math.max(1, shown.length) * H + 4), ctx = c.ctx, w = c.w;
    ctx.clearRect(0, 0, w, c.h);
    axis(ctx, w);
    if (!shown.length) {
      ctx.fillStyle = '#6b7385'; ctx.fillText('no state changes recorded', 8, AXIS + 16);
      return;
    }
    shown.forEach(function (t, k) {
      var y0 = AXIS + k * H, base = y0 + H - 4, scale = (H - 10) / t.max, prev = null;
      ctx.strokeStyle = PALETTE[k % PALETTE.length]; ctx.fillStyle = ctx.strokeStyle;
      ctx.globalAlpha = 0.18; ctx.beginPath(); ctx.moveTo(0, base);
      var px = 0, py = base;
      t.pts.forEach(function (p) {
        var x = Math.max(0, Math.min(w, xOf(p[0], w))), y = base - p[1] * scale;
        ctx.lineTo(x, py); ctx.lineTo(x, y); px = x; py = y; prev = p;
      });
      ctx.lineTo(w, py); ctx.lineTo(w, base); ctx.fill();
      ctx.globalAlpha = 1; ctx.beginPath(); ctx.moveTo(0, base); py = base;
      t.pts.forEach(function (p) {
        var x = Math.max(0, Math.min(w, xOf(p[0], w))), y = base - p[1] * scale;
        ctx.lineTo(x, py); ctx.lineTo(x, y); py = y;
      });
      ctx.lineTo(w, py); ctx.stroke();
      ctx.fillStyle = '#1d2330'; ctx.font = '11px system-ui, sans-serif';
      ctx.fillText(t.name + '  (max ' + t.max + (prev ? ', last ' + prev[1] : '') + ')', 6, y0 + 11);
      void px;
    });
  }

  function redraw() { drawTimeline(); drawState(); }

  function zoomAt(frac, factor) {
    var span = view.t1 - view.t0, at = view.t0 + frac * span, ns = Math.max(50, span * factor);
    view.t0 = at - frac * ns; view.t1 = at + (1 - frac) * ns;
    clampView(); redraw();
  }
  function clampView() {
    var span = view.t1 - view.t0, full = tMax - tMin;
    if (span > full) { view.t0 = tMin; view.t1 = tMax; return; }
    if (view.t0 < tMin) { view.t0 = tMin; view.t1 = tMin + span; }
    if (view.t1 > tMax) { view.t1 = tMax; view.t0 = tMax - span; }
  }
  function wire(cv) {
    var drag = null;
    cv.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = cv.getBoundingClientRect();
      zoomAt((e.clientX - r.left) / r.width, e.deltaY > 0 ? 1.25 : 0.8);
    }, { passive: false });
    cv.addEventListener('mousedown', function (e) { drag = { x: e.clientX, t0: view.t0, t1: view.t1, moved: false }; });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, span = drag.t1 - drag.t0;
      if (Math.abs(dx) > 2) drag.moved = true;
      view.t0 = drag.t0 - dx / cv.clientWidth * span; view.t1 = view.t0 + span;
      clampView(); redraw();
    });
    window.addEventListener('mouseup', function (e) {
      if (drag && !drag.moved && e.target === tl) pick(e);
      drag = null;
    });
  }
  function pick(e) {
    var r = tl.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    var lane = Math.floor((y - AXIS) / LANE), t = view.t0 + x / r.width * (view.t1 - view.t0);
    var tol = 3 / r.width * (view.t1 - view.t0), best = null, bd = Infinity;
    calls.forEach(function (c) {
      if (c.depth !== lane) return;
      var d = t < c.t0 ? c.t0 - t : t > c.t1 ? t - c.t1 : 0;
      if (d <= tol && d < bd) { bd = d; best = c; }
    });
    if (best) select(best, true);
  }

  /* ---- the call table ---------------------------------------------------- */
  var COLS = [
    { k: 'seq', label: 'seq', v: function (c) { return c.seq; }, s: function (c) { return num(c.seq); } },
    { k: 'time', label: 'time (s)', v: function (c) { return fmtSec(c.t0 - tMin); }, s: function (c) { return c.t0; } },
    { k: 'dur', label: 'duration', v: function (c) { return fmtNs(c.t1 - c.t0); }, s: function (c) { return c.t1 - c.t0; } },
    { k: 'call', label: 'call', v: function (c) { return c.call; }, s: function (c) { return c.call; } },
    { k: 'fd', label: 'fd', v: function (c) { return c.args && typeof c.args.fd === 'number' ? c.args.fd : ''; },
      s: function (c) { return c.args && typeof c.args.fd === 'number' ? c.args.fd : -1; } },
    { k: 'line', label: 'arguments and results', v: function (c) { return c.line; }, s: function (c) { return c.line || ''; } },
    { k: 'errno', label: 'errno', v: function (c) { return c.denied ? c.errno + ' \u2298' : c.errno; }, s: function (c) { return c.errno; } }
  ];
  var order = [], sortKey = 'seq', asc = true, rowEls = [];

  function head() {
    var h = $('thead');
    COLS.forEach(function (col) {
      var s = el('span', null, col.label);
      s.dataset.k = col.k;
      s.addEventListener('click', function () {
        if (sortKey === col.k) asc = !asc; else { sortKey = col.k; asc = true; }
        applyFilters();
      });
      h.appendChild(s);
    });
  }
  function markSorted() {
    Array.prototype.forEach.call($('thead').children, function (s) {
      s.className = s.dataset.k === sortKey ? 'sorted' + (asc ? ' asc' : '') : '';
    });
  }

  function errnoMatch(c, want) {
    if (!want) return true;
    return want.split(',').some(function (w) {
      w = w.trim().toUpperCase();
      if (w.charAt(0) === 'E' && w !== c.errno) w = w.slice(1);
      return w !== '' && c.errno.indexOf(w) === 0;
    });
  }

  function applyFilters() {
    var fc = $('f-call').value.trim().toLowerCase(), ff = $('f-family').value;
    var fd = $('f-fd').value.trim(), fp = $('f-path').value.trim().toLowerCase();
    var fe = $('f-errno').value.trim(), failed = $('f-failed').checked, denied = $('f-denied').checked;
    var names = fc ? fc.split(',').map(function (s) { return s.trim(); }).filter(Boolean) : null;
    order = calls.filter(function (c) {
      if (names && !names.some(function (n) { return c.call.indexOf(n) >= 0; })) return false;
      if (ff && c.fam !== ff) return false;
      if (fd !== '' && !fdset(c)[fd]) return false;
      if (fp && lower(c).indexOf(fp) < 0) return false;
      if (failed && !c.failed) return false;
      if (denied && !c.denied) return false;
      return errnoMatch(c, fe);
    });
    var col = COLS.filter(function (x) { return x.k === sortKey; })[0];
    if (sortKey !== 'seq' || !asc) {
      order.sort(function (a, b) {
        var x = col.s(a), y = col.s(b), r = x < y ? -1 : x > y ? 1 : a.i - b.i;
        return asc ? r : -r;
      });
    }
    markSorted();
    $('count').textContent = order.length + ' of ' + calls.length + ' calls';
    $('spacer').style.height = (order.length * ROW) + 'px';
    renderRows(true);
  }

  function renderRows(force) {
    var body = $('tbody'), first = Math.max(0, Math.floor(body.scrollTop / ROW) - 4);
    var count = Math.ceil(body.clientHeight / ROW) + 8, rows = $('rows');
    if (!force && renderRows.first === first) return;
    renderRows.first = first;
    rows.style.transform = 'translateY(' + (first * ROW) + 'px)';
    while (rowEls.length < count) {
      var r = el('div', 'row');
      COLS.forEach(function () { r.appendChild(el('span')); });
      r.addEventListener('click', onRow);
      rows.appendChild(r); rowEls.push(r);
    }
    for (var k = 0; k < rowEls.length; k++) {
      var r2 = rowEls[k], c = order[first + k];
      if (!c || k >= count) { r2.style.display = 'none'; continue; }
      r2.style.display = '';
      r2.dataset.i = c.i;
      r2.className = 'row' + (c.failed ? ' failed' : '') + (c.denied ? ' denied' : '') + (c === selected ? ' sel' : '');
      for (var j = 0; j < COLS.length; j++) {
        var span = r2.children[j];
        span.textContent = COLS[j].v(c);
        if (COLS[j].k === 'call') {
          var dot = el('i', 'fam'); dot.style.background = famColor(c.fam);
          span.insertBefore(dot, span.firstChild);
        }
        if (COLS[j].k === 'line') span.title = c.line || '';
      }
      r2.children[6].className = 'e';
    }
  }
  function onRow(e) { select(calls[Number(e.currentTarget.dataset.i)], false); }

  /* ---- selection and detail ---------------------------------------------- */
  function select(c, scroll) {
    selected = c;
    detail(c);
    if (scroll) {
      var at = order.indexOf(c), body = $('tbody');
      if (at >= 0 && (at * ROW < body.scrollTop || (at + 1) * ROW > body.scrollTop + body.clientHeight))
        body.scrollTop = Math.max(0, at * ROW - body.clientHeight / 2);
    }
    renderRows(true);
    drawTimeline();
  }

  function section(d, title, node) { d.appendChild(el('h4', null, title)); d.appendChild(node); }
  function pre(text) { return el('pre', null, text); }
  function b64(s) {
    var bin = atob(s || ''), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function asText(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      s += b === 10 ? '\n' : b === 9 ? '\t' : b >= 32 && b < 127 ? String.fromCharCode(b) : '\u00b7';
    }
    return s;
  }
  function asHex(bytes) {
    var lines = [];
    for (var o = 0; o < bytes.length; o += 16) {
      var h = '', a = '';
      for (var i = o; i < o + 16; i++) {
        h += i < bytes.length ? (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16) + ' ' : '   ';
        if (i < bytes.length) a += bytes[i] >= 32 && bytes[i] < 127 ? String.fromCharCode(bytes[i]) : '.';
        if (i === o + 7) h += ' ';
      }
      lines.push(('0000' + o.toString(16)).slice(-5) + '  ' + h + ' ' + a);
    }
    return lines.join('\n');
  }

  function detail(c) {
    var d = $('detail');
    d.textContent = '';
    var h = el('h2', null, '#' + c.seq + ' ' + c.call + ' ');
    h.appendChild(el('span', c.failed ? 'err' : null, c.errno));
    d.appendChild(h);
    d.appendChild(el('div', 'line', c.line));
    d.appendChild(el('div', 'hint', 'at ' + fmtSec(c.t0 - tMin) + ' s, took ' + fmtNs(c.t1 - c.t0) +
      ' \u00b7 family ' + c.fam + (c.depth ? ' \u00b7 nested (depth ' + c.depth + ')' : '')));
    if (c.denials && c.denials.length) {
      var dn = el('div');
      c.denials.forEach(function (x) {
        dn.appendChild(el('div', 'deny', x.source + (x.fd !== undefined ? ' \u00b7 fd ' + x.fd : '') +
          (x.right ? ' \u00b7 right ' + x.right : '') + (x.rule ? ' \u00b7 rule: ' + x.rule : '')));
      });
      section(d, 'Denial', dn);
    }
    section(d, 'Arguments', pre(JSON.stringify(c.args, null, 2)));
    section(d, 'Outputs', pre(c.corrupt ? 'corrupt record' : JSON.stringify(c.results, null, 2)));
    if (c.fds) section(d, 'Fds', pre(Object.keys(c.fds).map(function (k) { return k + ' \u2192 ' + c.fds[k]; }).join('\n')));
    (c.p || []).forEach(function (p) {
      var bytes = b64(p.b64), wrap = el('div');
      var more = num(p.size) > bytes.length ? ' (first ' + bytes.length + ' shown)' : '';
      wrap.appendChild(el('div', 'hint', p.dir + ' \u00b7 argument ' + p.arg + ' \u00b7 ' + p.size + ' bytes \u00b7 ' + p.cap + more));
      if (bytes.length) {
        wrap.appendChild(el('pre', 'line', asText(bytes)));
        wrap.appendChild(el('pre', 'hex', asHex(bytes)));
      }
      section(d, 'Payload', wrap);
    });
    if (c.transitions && c.transitions.length)
      section(d, 'Transitions', pre(c.transitions.map(function (t) {
        return t.kind + ' fd=' + t.fd + (t.fd2 ? ' fd2=' + t.fd2 : '') + ' a=' + t.a + ' b=' + t.b + (t.data ? ' data=' + t.data : '');
      }).join('\n')));
  }

  function families_select() {
    var s = $('f-family');
    families.slice().sort().forEach(function (f) { var o = el('option', null, f); o.value = f; s.appendChild(o); });
  }

  /* ---- start ----------------------------------------------------------- */
  summary();
  legend();
  head();
  families_select();
  ['f-call', 'f-fd', 'f-path', 'f-errno'].forEach(function (id) { $(id).addEventListener('input', applyFilters); });
  ['f-family', 'f-failed', 'f-denied'].forEach(function (id) { $(id).addEventListener('change', applyFilters); });
  $('tbody').addEventListener('scroll', function () { renderRows(false); });
  $('tbody').addEventListener('keydown', function (e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    var at = selected ? order.indexOf(selected) : -1, n = at + (e.key === 'ArrowDown' ? 1 : -1);
    if (order[n]) { e.preventDefault(); select(order[n], true); }
  });
  $('zoomreset').addEventListener('click', function () { view.t0 = tMin; view.t1 = tMax; redraw(); });
  window.addEventListener('resize', redraw);
  wire(tl);
  applyFilters();
  redraw();
  document.body.dataset.ready = '1';
})();
