// The emperor's dashboard: plain JavaScript against the control API it is served from
// (GET /vassals?usage=1 every second, the event stream through EventSource, the output of one
// vassal, and actions as POSTs carrying the CSRF token /session gave this page).
const $ = (sel) => document.querySelector(sel);
let session = { access: 'read-only', csrf: null };
let selected = null;
const dances = new Map();

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

async function api(path, init = {}) {
  const headers = { accept: 'application/json', ...(init.headers ?? {}) };
  if (init.method === 'POST' && session.csrf) headers['x-csrf-token'] = session.csrf;
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { error: { message: text } }; }
  return { status: res.status, body };
}

function flash(text, bad = false) {
  const f = $('#flash');
  f.textContent = text;
  f.className = bad ? 'error' : '';
}

function uptime(s) {
  if (s === null || s === undefined) return '-';
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return d > 0 ? `${d}d ${clock}` : clock;
}

function bytes(n) {
  const u = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)}${u[i]}`;
}

function lastExit(e) {
  if (!e) return '-';
  const how = e.expected ? 'stopped' : (e.signal ?? `code ${e.code}`);
  const ago = Math.max(0, Math.round((Date.now() - e.at) / 1000));
  return `${how}, ${ago}s ago${!e.expected && e.output ? `: ${e.output}` : ''}`;
}

const ACTIONS = [
  { action: 'reload', label: 'reload', ask: (n) => `Reload ${n} with its reload strategy?` },
  { action: 'stop', label: 'stop', ask: (n) => `Stop ${n}? It stays stopped until started or its file changes.` },
  { action: 'start', label: 'start', ask: (n) => `Start ${n}?` },
  { action: 'dance', label: 'restart dance', ask: (n) => `Restart dance of ${n}: a stand-in serves while the original restarts. Go?` },
];

async function act(name, action, ask) {
  if (!window.confirm(ask(name))) return;
  const r = await api(`/vassals/${encodeURIComponent(name)}/${action}?wait=0`, { method: 'POST' });
  if (r.status >= 200 && r.status < 300) flash(`${name}: ${action === 'dance' ? 'restart dance' : action} requested`);
  else flash(`${name}: ${r.body?.error?.message ?? r.body?.message ?? `HTTP ${r.status}`}`, true);
}

function row(v) {
  const canAct = session.access === 'full';
  const buttons = ACTIONS.filter((a) => a.action !== 'dance' || v.reload === 'dance').map((a) => el('button', {
    type: 'button', 'data-action': a.action, disabled: !canAct,
    title: canAct ? '' : 'read-only: this listener has no --http-token',
    onclick: () => act(v.name, a.action, a.ask),
  }, a.label));
  const usage = v.usage ?? null;
  return el('tr', { 'data-vassal': v.name },
    el('td', { class: 'name', onclick: () => select(v.name) }, v.name),
    el('td', { class: `state state-${v.state}` }, v.state),
    el('td', { class: 'pid num' }, v.pid === null ? '-' : String(v.pid)),
    el('td', { class: 'gen num' }, String(v.generation)),
    el('td', { class: 'num' }, uptime(v.uptime)),
    el('td', { class: 'restarts num' }, String(v.restarts)),
    el('td', { class: 'cpu num' }, usage && usage.cpuPercent !== null ? `${usage.cpuPercent.toFixed(1)}%` : '-'),
    el('td', { class: 'rss num' }, usage ? bytes(usage.rssBytes) : '-'),
    el('td', { class: 'sockets' }, v.sockets.map((s) => `${s.name}=${s.address}`).join(', ') || '-'),
    el('td', { class: 'exit' }, lastExit(v.lastExit)),
    el('td', { class: 'note' }, v.error && !v.note.includes(v.error) ? `${v.note} ${v.error}`.trim() : (v.note || v.error || '')),
    el('td', {}, ...buttons));
}

async function refresh() {
  const r = await api('/vassals?usage=1');
  if (r.status !== 200) {
    $('#live').textContent = r.body?.error?.message ?? `HTTP ${r.status}`;
    $('#live').className = 'badge bad';
    return;
  }
  const vassals = r.body.vassals;
  $('#fleet tbody').replaceChildren(...vassals.map(row));
  $('#empty').hidden = vassals.length > 0;
}

function describeEvent(e) {
  const t = new Date(e.at).toTimeString().slice(0, 8);
  // Outcomes already start with the vassal's name.
  const message = e.message.startsWith(`${e.vassal}: `) ? e.message.slice(e.vassal.length + 2) : e.message;
  return `${t} ${e.vassal}: ${e.type === 'done' ? `${e.action} ${e.ok ? 'done' : 'failed'}: ${message}` : message}`;
}

function danceBox(name) {
  let box = dances.get(name);
  if (!box) {
    box = el('div', { class: 'dance', 'data-dance': name }, el('h2', {}, `Restart dance of ${name}`), el('ol'));
    dances.set(name, box);
    $('#dances').prepend(box);
  }
  return box;
}

function onEvent(e) {
  const list = $('#events');
  list.prepend(el('li', { 'data-type': e.type }, describeEvent(e)));
  while (list.children.length > 200) list.lastChild.remove();
  if (e.type === 'dance') {
    const box = danceBox(e.vassal);
    box.className = 'dance';
    box.querySelector('ol').replaceChildren();
  }
  if (e.type === 'dance-step') danceBox(e.vassal).querySelector('ol').append(el('li', { 'data-step': e.step }, e.message));
  if (e.type === 'dance-done' || e.type === 'dance-failed') {
    const box = danceBox(e.vassal);
    box.className = `dance ${e.type === 'dance-done' ? 'done' : 'failed'}`;
    box.querySelector('ol').append(el('li', { 'data-step': e.type }, e.message));
  }
  if (e.type === 'done' && !e.ok) flash(e.message, true);
  scheduleRefresh();
  if (e.vassal === selected) scheduleLogs();
}

let refreshTimer = null;
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 100);
}

let logsTimer = null;
function scheduleLogs() {
  if (logsTimer) return;
  logsTimer = setTimeout(() => { logsTimer = null; loadLogs(); }, 200);
}

async function loadLogs() {
  if (!selected) return;
  const res = await fetch(`/vassals/${encodeURIComponent(selected)}/logs?n=100`, { credentials: 'same-origin' });
  if (!res.ok) return;
  const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  $('#logs').textContent = lines.map((l) => `[${l.generation}] ${l.line}`).join('\n');
}

function select(name) {
  selected = name;
  $('#logs-of').textContent = name;
  loadLogs();
}

function follow() {
  const source = new EventSource('/events');
  source.onopen = () => { $('#live').textContent = 'live'; $('#live').className = 'badge ok'; refresh(); };
  source.onerror = () => { $('#live').textContent = 'reconnecting…'; $('#live').className = 'badge bad'; };
  source.onmessage = (m) => onEvent(JSON.parse(m.data));
}

async function start() {
  session = (await api('/session')).body;
  $('#access').textContent = session.access === 'full' ? 'actions allowed' : session.access === 'read-only' ? 'read-only' : 'log in';
  if (session.access === 'login') {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
    if (fromHash) {
      history.replaceState(null, '', location.pathname); // the token must not stay in the address bar
      if (await logIn(fromHash)) return start();
    }
    $('#login').hidden = false;
    return;
  }
  $('#login').hidden = true;
  $('#main').hidden = false;
  const info = await api('/emperor');
  if (info.status === 200) $('#about').textContent = `${[info.body.vassalsDir, ...(info.body.sources ?? []).map((s) => s.url)].filter(Boolean).join(' + ')} · pid ${info.body.pid} · v${info.body.version}`;
  follow();
  await refresh();
  setInterval(refresh, 1000);
  setInterval(loadLogs, 2000);
}

async function logIn(token) {
  const r = await api('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  if (r.status === 200) return true;
  $('#login-error').textContent = r.body?.error?.message ?? `HTTP ${r.status}`;
  return false;
}

$('#login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (await logIn($('#token').value)) start();
});

start();
