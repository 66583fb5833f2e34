// cratedig listening page: search, play, spectrogram, recommendations, map.
'use strict';
const $ = (s) => document.querySelector(s);
const PALETTE = ['#f59e0b', '#60a5fa', '#34d399', '#f472b6', '#a78bfa',
  '#f87171', '#facc15', '#2dd4bf', '#fb923c', '#94a3b8', '#c084fc'];
let genres = [];
let points = [];
let current = null;

async function api(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return r.json();
}

function colour(genre) {
  const i = genres.indexOf(genre);
  return i < 0 ? '#64748b' : PALETTE[i % PALETTE.length];
}

function genreBadge(genre) {
  const s = document.createElement('span');
  s.className = 'genre';
  s.textContent = genre || 'unknown';
  s.style.background = colour(genre);
  return s;
}

function label(t) {
  return (t.artist || '?') + ' \u2013 ' + (t.title || '?');
}

let searchTimer = null;
function onSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = $('#q').value.trim();
    const list = $('#results');
    if (!q) { list.replaceChildren(); return; }
    const data = await api('/api/search?q=' + encodeURIComponent(q));
    if ($('#q').value.trim() !== q) return;  // a newer search is on its way
    list.replaceChildren(...data.tracks.map((t) => {
      const li = document.createElement('li');
      li.dataset.id = t.id;
      li.textContent = label(t);
      li.append(genreBadge(t.genre));
      li.addEventListener('click', () => openTrack(t.id));
      return li;
    }));
  }, 120);
}

async function openTrack(id) {
  const otherArtists = $('#other-artists').checked ? '&exclude_same_artist=1' : '';
  const data = await api('/api/tracks/' + id + '/recommendations?k=10' + otherArtists);
  const t = data.track;
  current = t.id;
  $('#hint').hidden = true;
  $('#track').hidden = false;
  $('#track-panel').dataset.id = t.id;
  $('#track-title').textContent = label(t);
  const meta = $('#track-meta');
  meta.replaceChildren(document.createTextNode('track ' + t.id), genreBadge(t.genre));
  const player = $('#player');
  if (t.preview) { player.src = t.preview; } else { player.removeAttribute('src'); }
  const img = $('#spectrogram');
  img.hidden = !t.spectrogram;
  if (t.spectrogram) img.src = t.spectrogram;
  $('#recs').replaceChildren(...data.recommendations.map((r) => {
    const li = document.createElement('li');
    li.dataset.id = r.id;
    const open = document.createElement('button');
    open.className = 'open';
    open.type = 'button';
    open.textContent = label(r);
    open.addEventListener('click', () => openTrack(r.id));
    const sim = document.createElement('span');
    sim.className = 'sim';
    sim.textContent = 'similarity ' + r.similarity.toFixed(3);
    li.append(open, genreBadge(r.genre), sim);
    if (r.preview) {
      const a = document.createElement('audio');
      a.controls = true;
      a.preload = 'none';
      a.src = r.preview;
      li.append(a);
    }
    return li;
  }));
  if (location.hash !== '#track=' + t.id) history.replaceState(null, '', '#track=' + t.id);
  drawMap();
}

// ---- map ----
let view = null;  // data -> canvas transform
function drawMap() {
  const c = $('#map');
  const g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  if (!points.length) return;
  if (!view) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const p of points) {
      x0 = Math.min(x0, p[1]); x1 = Math.max(x1, p[1]);
      y0 = Math.min(y0, p[2]); y1 = Math.max(y1, p[2]);
    }
    const pad = 10;
    const sx = (c.width - 2 * pad) / Math.max(x1 - x0, 1e-9);
    const sy = (c.height - 2 * pad) / Math.max(y1 - y0, 1e-9);
    view = { x: (v) => pad + (v - x0) * sx, y: (v) => c.height - pad - (v - y0) * sy };
  }
  const r = points.length > 3000 ? 1.5 : 3;
  for (const p of points) {
    g.fillStyle = PALETTE[p[3] % PALETTE.length];
    g.globalAlpha = 0.75;
    g.beginPath();
    g.arc(view.x(p[1]), view.y(p[2]), r, 0, 2 * Math.PI);
    g.fill();
  }
  g.globalAlpha = 1;
  const cur = points.find((p) => p[0] === current);
  if (cur) {
    g.strokeStyle = '#fff';
    g.lineWidth = 2;
    g.beginPath();
    g.arc(view.x(cur[1]), view.y(cur[2]), 7, 0, 2 * Math.PI);
    g.stroke();
  }
}

function mapClick(ev) {
  if (!view) return;
  const c = $('#map');
  const box = c.getBoundingClientRect();
  const mx = (ev.clientX - box.left) * (c.width / box.width);
  const my = (ev.clientY - box.top) * (c.height / box.height);
  let best = null, bestD = 64;  // within 8 px
  for (const p of points) {
    const dx = view.x(p[1]) - mx, dy = view.y(p[2]) - my;
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = p; }
  }
  if (best) openTrack(best[0]);
}

function mapHover(ev) {
  if (!view) return;
  const c = $('#map');
  const box = c.getBoundingClientRect();
  const mx = (ev.clientX - box.left) * (c.width / box.width);
  const my = (ev.clientY - box.top) * (c.height / box.height);
  let best = null, bestD = 64;
  for (const p of points) {
    const dx = view.x(p[1]) - mx, dy = view.y(p[2]) - my;
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = p; }
  }
  c.title = best ? best[4] + ' (' + (genres[best[3]] || 'unknown') + ')' : '';
}

async function loadMap() {
  const m = await api('/api/map');
  genres = m.genres;
  points = m.points;
  $('#legend').replaceChildren(...genres.map((g, i) => {
    const li = document.createElement('li');
    const dot = document.createElement('i');
    dot.style.background = PALETTE[i % PALETTE.length];
    li.append(dot, document.createTextNode(g || 'unknown'));
    return li;
  }));
  drawMap();
}

$('#q').addEventListener('input', onSearch);
$('#play').addEventListener('click', () => { $('#player').play().catch(() => {}); });
$('#other-artists').addEventListener('change', () => { if (current) openTrack(current); });
$('#map').addEventListener('click', mapClick);
$('#map').addEventListener('mousemove', mapHover);
loadMap().then(() => {
  const m = /#track=(\d+)/.exec(location.hash);
  if (m) openTrack(Number(m[1]));
});
