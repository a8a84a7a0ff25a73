// The ingestion page: upload by drag and drop (or the file picker) into
// /api/ingest, and a table of documents kept fresh from /api/status.
'use strict';

(function () {
  const zone = document.getElementById('upload');
  const table = document.getElementById('docs');
  if (!zone || !table) return;
  const picker = zone.querySelector('input[type=file]');
  const role = zone.querySelector('input[name=folder_role]');
  const results = document.getElementById('upload-results');
  const counts = document.getElementById('counts');

  const outcomes = {
    new: 'queued',
    changed: 'queued again (its contents changed)',
    duplicate: 'already here, nothing to do',
    refreshed: 'queued again with new details',
  };

  // A sidecar (notes.txt.meta.yaml) travels with its document
  // (notes.txt) as the upload's "meta" part.
  const sidecar = '.meta.yaml';

  async function send(list) {
    const files = Array.from(list);
    const metas = new Map();
    for (const f of files) {
      if (f.name.endsWith(sidecar)) metas.set(f.name.slice(0, -sidecar.length), f);
    }
    for (const file of files) {
      const line = document.createElement('li');
      results.append(line);
      if (file.name.endsWith(sidecar)) {
        const doc = file.name.slice(0, -sidecar.length);
        if (files.some((f) => f.name === doc)) {
          line.remove();
        } else {
          line.textContent = `${file.name}: a sidecar goes with its document; drop ${doc} together with it.`;
          line.className = 'failed';
        }
        continue;
      }
      line.textContent = `${file.name}: uploading…`;
      const body = new FormData();
      if (role.value.trim()) body.append('folder_role', role.value.trim());
      const meta = metas.get(file.name);
      if (meta) body.append('meta', await meta.text());
      body.append('file', file, file.name);
      try {
        const res = await fetch('/api/ingest', { method: 'POST', body, credentials: 'same-origin' });
        const data = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(data.error || `the server answered ${res.status}`);
        line.textContent = `${file.name}${meta ? ' (with its sidecar)' : ''}: ${outcomes[data.outcome] || data.outcome}`;
      } catch (err) {
        line.textContent = `${file.name}: ${err.message}`;
        line.className = 'failed';
      }
      refresh();
    }
  }

  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('over');
    send(ev.dataTransfer.files);
  });
  picker.addEventListener('change', () => {
    send(picker.files);
    picker.value = '';
  });
  zone.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send(picker.files);
    picker.value = '';
  });

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function docTerm(file) {
    return /[\s"“”]/.test(file) ? `doc:"${file.replace(/["“”]/g, '')}"` : `doc:${file}`;
  }

  // when writes a time as the server does: 2 Jan 2006 15:04.
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function when(s) {
    const t = new Date(s);
    if (isNaN(t) || t.getFullYear() < 2) return '';
    const two = (n) => String(n).padStart(2, '0');
    return `${t.getDate()} ${months[t.getMonth()]} ${t.getFullYear()} ${two(t.getHours())}:${two(t.getMinutes())}`;
  }

  function render(docs) {
    docs = docs.slice().reverse(); // newest first, as the server draws it
    const n = { indexed: 0, waiting: 0, failed: 0 };
    const body = document.createElement('tbody');
    for (const d of docs) {
      if (d.state === 'indexed') n.indexed++;
      else if (d.state === 'failed') n.failed++;
      else n.waiting++;
      const tr = el('tr', null, `state-${d.state}`);
      const file = el('td', null, 'file');
      if (d.state === 'indexed') {
        const a = el('a', d.file);
        a.href = '/?q=' + encodeURIComponent(docTerm(d.file));
        file.append(a);
      } else {
        file.append(document.createTextNode(d.file));
      }
      if (d.title) file.append(el('div', d.title, 'muted small'));
      const state = el('td');
      state.append(el('span', d.state, 'state'));
      tr.append(file, el('td', d.kind || ''), state, el('td', d.passages, 'num'), el('td', d.error || '', 'reason'), el('td', when(d.updated), 'small'));
      body.append(tr);
    }
    if (!docs.length) {
      const tr = el('tr', null, 'empty');
      const td = el('td', 'Nothing yet. Drop files above or into the inbox folder.');
      td.colSpan = 6;
      tr.append(td);
      body.append(tr);
    }
    table.tBodies[0].replaceWith(body);
    counts.replaceChildren(
      el('span', `${n.indexed} indexed`, 'state-indexed'), document.createTextNode(' · '),
      el('span', `${n.waiting} waiting or in progress`, 'state-processing'), document.createTextNode(' · '),
      el('span', `${n.failed} failed`, 'state-failed'));
    return n.waiting > 0;
  }

  // showDisk says, above the counts, that the disk is full: documents
  // wait and go on by themselves when space returns.
  const disk = document.getElementById('disk');
  function showDisk(d) {
    if (!disk) return;
    disk.hidden = !(d && d.full);
    if (d && d.full) {
      let s = `The data folder's disk is full (${d.free_bytes} bytes free): documents wait for disk space and go on by themselves when space returns.`;
      if (d.problem) s += ` Last refusal: ${d.problem}`;
      disk.textContent = s;
    }
  }

  let timer = 0;
  async function refresh() {
    clearTimeout(timer);
    let busy = false;
    try {
      const res = await fetch('/api/status', { credentials: 'same-origin' });
      if (res.ok) {
        const st = await res.json();
        busy = render(st.documents || []);
        showDisk(st.disk);
      }
    } catch (_) { /* the server is restarting: try again later */ }
    // Every second and a half while files are in flight; new files can
    // land in the inbox at any time, so keep looking now and then.
    timer = setTimeout(refresh, busy ? 1500 : 5000);
  }
  refresh();
})();
