// The coldframe console: every number and document it shows comes from the archive service's API on this origin.
'use strict';

const COLORS = ['#2f7ed8', '#8bbc21', '#910000', '#1aadce', '#492970', '#f28f43'];

function $(id) { return document.getElementById(id); }

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(table, cells, onPick) {
  const tr = el('tr');
  cells.forEach(c => tr.appendChild(c instanceof Node ? wrap(c) : el('td', c)));
  if (onPick) { tr.className = 'pick'; tr.addEventListener('click', onPick); }
  table.appendChild(tr);
  return tr;
}

function wrap(node) { const td = el('td'); td.appendChild(node); return td; }

function header(table, names) {
  table.replaceChildren();
  const tr = el('tr');
  names.forEach(n => tr.appendChild(el('th', n)));
  table.appendChild(tr);
}

function showError(e) {
  const box = $('error');
  box.textContent = e.message || String(e);
  box.classList.remove('hidden');
  setTimeout(() => box.classList.add('hidden'), 8000);
}

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json();
  if (!response.ok) throw new Error(path + ': ' + (body.error || response.status));
  return body;
}

function writeOptions(body) {
  const token = $('token').value;
  if (!token) throw new Error('enter the write token (service.write.token) first');
  return { method: 'POST', headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
           body: body === undefined ? '' : JSON.stringify(body) };
}

// ------------------------------------------------------------------------------------------------ overview

// Memories per location (mongodb, archive), summed over the agents /agents lists.
function locationTotals(agents) {
  const totals = {};
  agents.forEach(a => Object.entries(a.locations || {}).forEach(([name, n]) => { totals[name] = (totals[name] || 0) + n; }));
  return totals;
}

async function overview() {
  const period = $('period').value;
  const [status, agents, stats] = await Promise.all([api('/status'), api('/agents'), api('/stats?period=' + period)]);
  const score = $('health-score');
  score.textContent = status.health_score;
  score.className = 'big ' + (status.health_score >= 80 ? 'good' : status.health_score >= 50 ? 'fair' : 'poor');
  const conn = $('connectivity');
  conn.replaceChildren();
  ['mongodb', 'kafka', 'object_store'].forEach(c => conn.appendChild(
    el('div', c + ': ' + (status[c].connected ? 'connected' : 'unreachable (' + status[c].error + ')'), status[c].connected ? 'good' : 'poor')));
  conn.appendChild(el('div', status.mode + ', store ' + status.backend.store_type));

  const recs = $('recommendations');
  recs.replaceChildren();
  if (status.recommendations.length === 0) recs.appendChild(el('li', 'none: every signal is within its threshold'));
  status.recommendations.forEach(r => recs.appendChild(el('li', r)));
  const signals = $('signals');
  header(signals, ['signal', 'measured', 'threshold', '']);
  status.signals.forEach(s => row(signals, [s.name, s.measured, s.threshold, el('span', s.ok ? 'ok' : '-' + s.penalty, s.ok ? 'good' : 'poor')]));

  const tiers = $('tier-counts');
  header(tiers, ['tier or location', 'memories']);
  const counts = Object.assign({}, stats.tier_counts, locationTotals(agents.agents));
  Object.entries(counts).forEach(([tier, n]) => row(tiers, [tier, n]).dataset.tier = tier);
  row(tiers, ['memories', stats.memories]).dataset.tier = 'memories';
  row(tiers, ['agents', stats.agents]).dataset.tier = 'agents';

  bytes(stats.bytes);

  const reads = $('archive-reads');
  header(reads, ['', '']);
  Object.entries(stats.archive_reads || {}).forEach(([k, v]) => row(reads, [k.replace(/_/g, ' '), v]));
  row(reads, ['catalog index', stats.state]);

  chart(stats.series.points);
}

function svg(tag, attributes, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  Object.entries(attributes).forEach(([k, v]) => e.setAttribute(k, v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Archive bytes against raw and the gzip estimate: a table and one bar each, scaled to the largest.
function bytes(b) {
  const table = $('archive-bytes');
  header(table, ['', 'bytes']);
  const bars = [['raw', b.raw_bytes], ['gzip (estimated)', b.gzip_bytes_estimated], ['archive', b.archive_bytes]];
  bars.forEach(([name, n]) => row(table, [name, n]).dataset.bytes = name);
  row(table, ['bytes saved', b.bytes_saved]).dataset.bytes = 'saved';
  table.title = b.gzip_estimate;
  const chart = $('bytes-chart');
  chart.replaceChildren();
  const max = Math.max(1, ...bars.map(([, n]) => n));
  bars.forEach(([name, n], i) => {
    chart.appendChild(svg('rect', { x: 0, y: i * 22, width: (n / max * 300).toFixed(1), height: 18, fill: COLORS[i] }));
    // white with a dark outline: readable on every bar colour and on the background past a short bar
    chart.appendChild(svg('text', { x: 4, y: i * 22 + 13, 'font-size': 11, fill: '#fff', stroke: '#1d2430', 'stroke-width': 3,
      'paint-order': 'stroke' }, name));
  });
}

// One line per tier: its memories at the end of each point of the series.
function chart(points) {
  const chartSvg = $('tier-chart');
  chartSvg.replaceChildren();
  const tiers = Object.keys(points[points.length - 1].tiers);
  const max = Math.max(1, ...points.flatMap(p => tiers.map(t => p.tiers[t].memories)));
  const legend = $('tier-legend');
  legend.replaceChildren();
  tiers.forEach((tier, i) => {
    const xy = points.map((p, n) => [points.length === 1 ? 300 : n / (points.length - 1) * 600, 195 - p.tiers[tier].memories / max * 185]);
    chartSvg.appendChild(svg('polyline', { points: xy.map(([x, y]) => x.toFixed(1) + ',' + y.toFixed(1)).join(' '), fill: 'none',
      stroke: COLORS[i % COLORS.length], 'stroke-width': 2, 'data-tier': tier }));
    const [x, y] = xy[xy.length - 1];
    chartSvg.appendChild(svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 4, fill: COLORS[i % COLORS.length] }));
    const key = el('span', '\u25A0 ' + tier + ' ' + points[points.length - 1].tiers[tier].memories);
    key.style.color = COLORS[i % COLORS.length];
    key.dataset.tier = tier;
    legend.appendChild(key);
  });
  legend.appendChild(el('span', points[0].start + ' to ' + points[points.length - 1].end + ', max ' + max));
}

// ------------------------------------------------------------------------------------------------ agents

let agentNames = [];

async function agents() {
  const body = await api('/agents');
  agentNames = body.agents;
  listAgents();
}

function listAgents() {
  const query = $('agent-search').value.toLowerCase();
  const table = $('agent-list');
  header(table, ['agent', 'memories']);
  agentNames.filter(a => a.agent.toLowerCase().includes(query)).forEach(a => {
    const tiers = Object.entries(a.tiers).map(([t, n]) => t + ' ' + n).join(', ');
    row(table, [a.agent, tiers], () => timeline(a.agent).catch(showError));
  });
}

async function timeline(agent) {
  const body = await api('/agents/' + encodeURIComponent(agent) + '/memories?limit=200');
  $('timeline-title').textContent = agent + ': newest ' + body.memories.length + ' memories across tiers';
  const table = $('timeline');
  header(table, ['time', 'tier', 'memory', 'where']);
  body.memories.forEach(m => row(table, [m.time, m.tier + ' (' + m.location.source + ')', m.id, m.location.segment_id || m.location.source],
    () => openMemory(m.id).catch(showError)));
}

async function openMemory(id) {
  const body = await api('/memories/' + encodeURIComponent(id));
  $('memory').classList.remove('hidden');
  $('memory-title').textContent = 'memory ' + body.id + ' (' + body.tier + ')';
  const where = body.location;
  $('memory-location').textContent = where.source === 'archive'
    ? 'segment ' + where.segment_id + ', block ' + where.block + ', frames ' + where.first_frame + '-' + where.last_frame
    : 'MongoDB ' + where.namespace;
  $('memory-document').textContent = JSON.stringify(body.document, null, 2);
  const restore = $('restore');
  restore.classList.toggle('hidden', where.source !== 'archive');
  restore.dataset.id = body.id;
  $('restore-result').textContent = '';
}

async function restore() {
  const id = $('restore').dataset.id;
  const options = writeOptions({ ids: [id] });
  if (!window.confirm('Restore memory ' + id + ' into MongoDB? A newer version there is never overwritten.')) return;
  const result = await api('/restore', options);
  $('restore-result').textContent = 'restored ' + result.restored + ', already present ' + result.already_present
    + ', superseded ' + result.superseded + ', failed ' + result.failed;
}

// ------------------------------------------------------------------------------------------------ segments

async function segments() {
  const body = await api('/segments');
  const table = $('segment-list');
  header(table, ['segment', 'memories']);
  body.segments.forEach(s => row(table, [s.segment_id, s.memories], () => segment(s.segment_id).catch(showError)));
}

async function segment(id) {
  const body = await api('/segments/' + encodeURIComponent(id));
  $('segment-title').textContent = 'segment ' + id + ': ' + body.memories.length + ' memories';
  $('segment-uri').textContent = body.uri;
  const verify = $('verify');
  verify.classList.remove('hidden');
  verify.dataset.id = id;
  $('verify-result').textContent = '';
  $('frame-view').classList.remove('hidden');
  $('frame-image').removeAttribute('src');
  $('frame-header').textContent = '';
  const table = $('segment-memories');
  header(table, ['memory', 'block', 'frames']);
  body.memories.forEach(m => row(table, [m.id, m.block, m.first_frame + '-' + m.last_frame]));
}

async function verify() {
  const id = $('verify').dataset.id;
  $('verify-result').textContent = 'verifying ...';
  const result = await api('/segments/' + encodeURIComponent(id) + '/verify', writeOptions());
  $('verify-result').textContent = (result.ok ? 'verified: ' : 'FAILED: ') + result.frames_read + ' frames, '
    + result.records_verified + ' records' + (result.problems.length ? '; ' + result.problems.join('; ') : '');
}

async function showFrame() {
  const id = $('verify').dataset.id;
  const n = $('frame-number').value;
  const frame = await api('/segments/' + encodeURIComponent(id) + '/frames/' + encodeURIComponent(n));
  $('frame-header').textContent = JSON.stringify(frame.header, null, 2);
  $('frame-image').src = frame.image;
}

// ------------------------------------------------------------------------------------------------ dead letters

async function deadLetters() {
  const body = await api('/deadletters?limit=100');
  const table = $('deadletter-list');
  header(table, ['time', 'stage', 'reason', 'source']);
  if (body.dead_letters.length === 0) row(table, ['', '', 'no dead letters', '']);
  body.dead_letters.forEach(d => row(table, [d.time, d.stage, d.reason,
    d.source.topic + '[' + d.source.partition + ']@' + d.source.offset]));
}

// ------------------------------------------------------------------------------------------------ wiring

const LOADERS = { overview, agents, segments, deadletters: deadLetters };

function show(tab) {
  document.querySelectorAll('nav button').forEach(b => b.classList.toggle('active', b.dataset.tab === tab));
  document.querySelectorAll('.tab').forEach(s => s.classList.toggle('active', s.id === tab));
  LOADERS[tab]().catch(showError);
}

document.querySelectorAll('nav button').forEach(b => b.addEventListener('click', () => show(b.dataset.tab)));
$('agent-search').addEventListener('input', listAgents);
$('restore').addEventListener('click', () => restore().catch(showError));
$('verify').addEventListener('click', () => verify().catch(showError));
$('show-frame').addEventListener('click', () => showFrame().catch(showError));
show('overview');
$('period').addEventListener('change', () => overview().catch(showError));
setInterval(() => overview().catch(showError), 10000);
