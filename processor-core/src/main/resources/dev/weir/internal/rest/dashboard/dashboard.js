// Weir dashboard (docs/operations.md, "Dashboard"). Polls the job's REST endpoint and keeps a
// rolling history in the page; the endpoint keeps none. Everything the job says (names, errors,
// locations) goes into the DOM through textContent only.
'use strict';
(() => {
  const POLL_MS = 2000;
  const HISTORY = 300; // points: 10 minutes at POLL_MS
  const $ = (id) => document.getElementById(id);
  const nf = new Intl.NumberFormat('en-US');
  const pf = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 0 });
  const STATUSES = ['STARTING', 'RUNNING', 'RESTARTING', 'STOPPED', 'FAILED'];

  // Client-side history: time (s) and one array per series, trimmed to HISTORY.
  const history = { t: [], in: [], out: [], lag: [] };
  let previous = null; // { at, recordsIn, recordsOut, samples } of the last poll
  let polls = 0;
  const charts = {};

  function fmtCount(n) {
    return Number.isFinite(n) ? nf.format(n) : '–';
  }

  function fmtRate(n) {
    return Number.isFinite(n) ? nf.format(Math.round(n)) + '/s' : '–';
  }

  function fmtBytes(n) {
    if (!Number.isFinite(n)) return '–';
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  // Axis ticks: one unit for the whole axis and as many decimals as tell the ticks apart.
  function axisValues(base, units) {
    return (u, vals) => {
      const max = Math.max(...vals.map((v) => Math.abs(v)));
      let i = 0;
      while (max / base ** i >= base && i < units.length - 1) i++;
      const scaled = vals.map((v) => v / base ** i);
      const step = scaled.length > 1 ? Math.abs(scaled[1] - scaled[0]) : 1;
      const decimals = step > 0 ? Math.min(3, Math.max(0, Math.ceil(-Math.log10(step)))) : 0;
      return scaled.map((v) => v.toFixed(decimals) + units[i]);
    };
  }

  function fmtTime(ms) {
    return ms > 0 ? new Date(ms).toLocaleTimeString('en-GB') : '–';
  }

  // --- Prometheus text format 0.0.4: name{label="value",…} value [timestamp] ---------------
  function parseMetrics(body) {
    const samples = [];
    for (const line of body.split('\n')) {
      if (line === '' || line[0] === '#') continue;
      const s = parseSample(line);
      if (s) samples.push(s);
    }
    return samples;
  }

  function parseSample(line) {
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels = {};
    if (line[i] === '{') {
      i++;
      while (i < line.length && line[i] !== '}') {
        const eq = line.indexOf('=', i);
        if (eq < 0 || line[eq + 1] !== '"') return null;
        const key = line.slice(i, eq).trim();
        let value = '';
        let j = eq + 2;
        for (; j < line.length && line[j] !== '"'; j++) {
          if (line[j] === '\\' && j + 1 < line.length) {
            j++;
            value += line[j] === 'n' ? '\n' : line[j];
          } else {
            value += line[j];
          }
        }
        labels[key] = value;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const raw = line.slice(i).trim().split(/\s+/)[0];
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    return { name, labels, value };
  }

  // Sums of one meter by the labels in `by`: key "a\u0000b" -> value. NaN samples are left out.
  function sumBy(samples, name, by) {
    const out = new Map();
    for (const s of samples) {
      if (s.name !== name || Number.isNaN(s.value)) continue;
      const key = by.map((l) => s.labels[l] ?? '').join('\u0000');
      out.set(key, (out.get(key) ?? 0) + s.value);
    }
    return out;
  }

  // --- DOM helpers --------------------------------------------------------------------------
  function setText(id, value) {
    $(id).textContent = value;
  }

  function row(cells, attrs) {
    const tr = document.createElement('tr');
    for (const [k, v] of Object.entries(attrs ?? {})) tr.dataset[k] = String(v);
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) {
        td.appendChild(c);
      } else if (c && typeof c === 'object') {
        td.textContent = c.text;
        if (c.cls) td.className = c.cls;
        if (c.title) td.title = c.title;
      } else {
        td.textContent = c;
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function fillTable(id, rows) {
    $(id).tBodies[0].replaceChildren(...rows);
  }

  function num(text, title) {
    return { text, cls: 'num', title };
  }

  // --- charts -------------------------------------------------------------------------------
  function makeChart(id, series, opts) {
    const el = $(id);
    const u = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 200,
        series: [{}, ...series],
        axes: opts.axes,
        scales: opts.scales,
        legend: { live: true },
      },
      [[], ...series.map(() => [])],
      el,
    );
    charts[id] = u;
    return u;
  }

  // The time axis spans at least the last minute, so the first points do not fill the chart.
  const LAST_MINUTE = {
    x: {
      time: true,
      range: (u, min, max) => {
        const end = max ?? Date.now() / 1000;
        return [Math.min(min ?? end, end - 60), end];
      },
    },
  };

  function initCharts() {
    makeChart('chart-throughput', [
      { label: 'in', stroke: '#3e63dd', width: 2, value: (u, v) => fmtRate(v) },
      { label: 'out', stroke: '#12a594', width: 2, value: (u, v) => fmtRate(v) },
    ], { scales: LAST_MINUTE, axes: [{}, { size: 70, values: (u, vals) => vals.map(fmtCount) }] });
    makeChart('chart-lag', [
      { label: 'lag', stroke: '#d9480f', width: 2, value: (u, v) => fmtCount(v) },
    ], { scales: LAST_MINUTE, axes: [{}, { size: 70, values: (u, vals) => vals.map(fmtCount) }] });
    makeChart('chart-checkpoints', [
      { label: 'duration', stroke: '#3e63dd', width: 2, scale: 'ms', points: { show: true },
        value: (u, v) => (v == null ? '–' : nf.format(v) + ' ms') },
      { label: 'size', stroke: '#8e4ec6', width: 2, scale: 'bytes', points: { show: true },
        value: (u, v) => fmtBytes(v) },
    ], {
      scales: { x: { time: false } },
      axes: [
        { label: 'checkpoint id', values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? v : '')) },
        { scale: 'ms', size: 70, values: axisValues(1000, [' ms', ' s']) },
        { scale: 'bytes', side: 1, size: 70, grid: { show: false },
          values: axisValues(1000, [' B', ' kB', ' MB', ' GB', ' TB']) },
      ],
    });
    // Each chart follows the width of its box (a window resize, a print, a full-page capture).
    const resized = new ResizeObserver((entries) => {
      for (const e of entries) {
        const u = charts[e.target.id];
        const width = Math.floor(e.contentRect.width);
        if (u && width > 0 && width !== u.width) u.setSize({ width, height: 200 });
      }
    });
    for (const id of Object.keys(charts)) resized.observe($(id));
  }

  function push(key, v) {
    history[key].push(v);
    if (history[key].length > HISTORY) history[key].shift();
  }

  // --- one poll -----------------------------------------------------------------------------
  async function fetchJson(path) {
    const r = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    return r.json();
  }

  async function fetchText(path) {
    const r = await fetch(path, { cache: 'no-store' });
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    return r.text();
  }

  async function poll() {
    try {
      const [status, metrics, checkpoints, savepoints] = await Promise.all([
        fetchJson('../status'),
        fetchText('../metrics'),
        fetchJson('../checkpoints'),
        fetchJson('../savepoints'),
      ]);
      const at = performance.now();
      const samples = parseMetrics(metrics);
      showStatus(status, at, samples);
      showSubtasks(samples, at);
      showOperators(samples, at);
      showCheckpoints(checkpoints);
      showSavepoints(savepoints);
      previous = { at, recordsIn: status.recordsIn, recordsOut: status.recordsOut, samples };
      polls++;
      document.body.dataset.polls = String(polls);
      const c = $('connection');
      c.className = 'muted';
      c.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB');
    } catch (e) {
      const c = $('connection');
      c.className = 'down';
      c.textContent = 'endpoint unreachable (' + e.message + '); retrying';
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  function rate(now, before, at) {
    if (!previous || before == null) return NaN;
    const dt = (at - previous.at) / 1000;
    return dt > 0 ? Math.max(0, (now - before) / dt) : NaN;
  }

  function showStatus(s, at, samples) {
    setText('job-name', s.job);
    document.title = 'Weir: ' + s.job;
    const badge = $('job-status');
    badge.textContent = s.status;
    badge.className = 'badge' + (STATUSES.includes(s.status) ? ' ' + s.status : '');
    setText('records-in', fmtCount(s.recordsIn));
    setText('records-out', fmtCount(s.recordsOut));
    setText('restarts', fmtCount(s.restarts));
    setText('restored', s.restoredCheckpoint == null ? 'started fresh' : 'restored checkpoint ' + s.restoredCheckpoint);
    const rin = rate(s.recordsIn, previous?.recordsIn, at);
    const rout = rate(s.recordsOut, previous?.recordsOut, at);
    setText('rate-in', fmtRate(rin));
    setText('rate-out', fmtRate(rout));
    const lags = sumBy(samples, 'weir_source_lag_records', []);
    const lag = lags.size ? lags.get('') : NaN;
    setText('source-lag', lags.size ? fmtCount(lag) : 'n/a');

    push('t', Date.now() / 1000);
    push('in', Number.isFinite(rin) ? rin : null);
    push('out', Number.isFinite(rout) ? rout : null);
    push('lag', Number.isFinite(lag) ? lag : null);
    charts['chart-throughput'].setData([history.t, history.in, history.out]);
    charts['chart-lag'].setData([history.t, history.lag]);

    const counters = Object.entries(s.counters ?? {}).sort(([a], [b]) => a.localeCompare(b));
    fillTable('counters', counters.map(([name, n]) => row([name, num(fmtCount(n))], { counter: name })));
  }

  function showSubtasks(samples, at) {
    const by = ['operator', 'subtask'];
    const busy = sumBy(samples, 'weir_subtask_busy_seconds_total', by);
    const idle = sumBy(samples, 'weir_subtask_idle_seconds_total', by);
    const bp = sumBy(samples, 'weir_subtask_backpressured_seconds_total', by);
    const before = previous && {
      busy: sumBy(previous.samples, 'weir_subtask_busy_seconds_total', by),
      idle: sumBy(previous.samples, 'weir_subtask_idle_seconds_total', by),
      bp: sumBy(previous.samples, 'weir_subtask_backpressured_seconds_total', by),
    };
    const rows = [];
    for (const key of [...busy.keys()].sort(compareKeys)) {
      const [task, subtask] = key.split('\u0000');
      let shares = [NaN, NaN, NaN];
      if (before && before.busy.has(key)) {
        const d = [
          busy.get(key) - before.busy.get(key),
          (bp.get(key) ?? 0) - (before.bp.get(key) ?? 0),
          (idle.get(key) ?? 0) - (before.idle.get(key) ?? 0),
        ].map((x) => Math.max(0, x));
        const total = d[0] + d[1] + d[2];
        if (total > 0) shares = d.map((x) => x / total);
      }
      const bar = document.createElement('div');
      bar.className = 'bar';
      for (const [cls, share] of [['busy', shares[0]], ['bp', shares[1]]]) {
        const part = document.createElement('div');
        part.className = cls;
        part.style.width = (Number.isFinite(share) ? share * 100 : 0) + '%';
        bar.appendChild(part);
      }
      const pct = (x) => num(Number.isFinite(x) ? pf.format(x) : '–');
      rows.push(row([task, subtask, pct(shares[0]), pct(shares[1]), pct(shares[2]), bar], { task, subtask }));
    }
    fillTable('subtasks', rows);
  }

  function showOperators(samples, at) {
    const by = ['operator', 'subtask'];
    const recIn = sumBy(samples, 'weir_operator_records_in_total', by);
    const recOut = sumBy(samples, 'weir_operator_records_out_total', by);
    const beforeIn = previous && sumBy(previous.samples, 'weir_operator_records_in_total', by);
    const beforeOut = previous && sumBy(previous.samples, 'weir_operator_records_out_total', by);
    const keys = [...new Set([...recIn.keys(), ...recOut.keys()])];
    // Dataflow order as far as the meters tell it: sources (no records in) first, sinks (no
    // records out) last, the steps between them by name (map-1, keyBy-2, … sort by place).
    const place = (k) => (!recIn.has(k) ? 0 : !recOut.has(k) ? 2 : 1);
    keys.sort((a, b) => place(a) - place(b) || compareKeys(a, b));
    fillTable('operators', keys.map((key) => {
      const [operator, subtask] = key.split('\u0000');
      const i = recIn.get(key);
      const o = recOut.get(key);
      return row([
        operator,
        subtask,
        num(i == null ? '' : fmtCount(i)),
        num(o == null ? '' : fmtCount(o)),
        num(i == null ? '' : fmtRate(rate(i, beforeIn?.get(key), at))),
        num(o == null ? '' : fmtRate(rate(o, beforeOut?.get(key), at))),
      ], { operator, subtask });
    }));
  }

  // Operator names sort with their numbers as numbers (map-2 before map-10), then by subtask.
  function compareKeys(a, b) {
    return a.localeCompare(b, 'en', { numeric: true });
  }

  function showCheckpoints(list) {
    const completed = list.filter((c) => c.status === 'COMPLETED');
    charts['chart-checkpoints'].setData([
      completed.map((c) => c.id),
      completed.map((c) => c.durationMs),
      completed.map((c) => c.sizeBytes),
    ]);
    const last = completed[completed.length - 1];
    setText('last-checkpoint', last ? '#' + last.id : 'none');
    setText('last-checkpoint-age', last ? fmtTime(last.triggerTimestamp) + ', ' + fmtBytes(last.sizeBytes) : '–');
    const ms = (x) => num(Number.isFinite(x) ? nf.format(x) + ' ms' : '–');
    const rows = [...list].reverse().map((c) => {
      const tr = row([
        num(String(c.id)),
        c.status,
        fmtTime(c.triggerTimestamp),
        ms(c.durationMs),
        num(fmtCount(c.sizeBytes) + ' B', fmtBytes(c.sizeBytes)),
        ms(c.alignmentMs),
        ms(c.syncMs),
        ms(c.commitMs),
        { text: c.failure ?? c.location ?? '', cls: 'wrap' },
      ], { checkpoint: c.id, status: c.status });
      tr.className = c.status === 'FAILED' ? 'FAILED' : '';
      return tr;
    });
    fillTable('checkpoints', rows);
  }

  function showSavepoints(list) {
    const rows = [...list].reverse().map((s) => {
      const tr = row([
        s.id,
        s.kind,
        s.status,
        fmtTime(s.submittedAt),
        { text: s.error ?? s.location ?? s.detail ?? '', cls: 'wrap' },
      ], { savepoint: s.id, status: s.status });
      tr.className = s.status === 'FAILED' ? 'FAILED' : '';
      return tr;
    });
    fillTable('savepoints', rows);
  }

  initCharts();
  poll();
})();
