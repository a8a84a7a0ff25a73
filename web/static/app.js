// Evident's pages work without JavaScript: every action is a form that
// posts to a page on the server. This script makes them quicker. A form
// with data-api="METHOD /api/path/{field}" is sent to the JSON API with
// fetch instead: {field} takes that form field's value, the other fields
// (except those whose names start with "_") become the JSON body (a
// field marked data-json="number" a number, "list" a list of ids), and
// data-then says what happens next: "reload", "go:/path/{name}" (name
// from the answer) or "status" (a message in the form's <output>).
'use strict';

function say(form, text, failed) {
  const out = form.querySelector('output.status');
  if (!out) {
    if (failed) alert(text);
    return;
  }
  out.textContent = text;
  out.classList.toggle('failed', !!failed);
}

async function sendForm(form) {
  const [method, template] = form.dataset.api.split(' ');
  const fields = new FormData(form);
  const used = new Set();
  const url = template.replace(/\{(\w+)\}/g, (_, key) => {
    used.add(key);
    return encodeURIComponent(fields.get(key) || '');
  });
  const body = {};
  let hasBody = false;
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.name.startsWith('_') || used.has(el.name)) continue;
    if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) continue;
    if (el.dataset.json === 'list') {
      // Ids as people type them: "q1, q2 q3".
      body[el.name] = el.value.split(/[\s,]+/).filter(Boolean);
    } else {
      body[el.name] = el.dataset.json === 'number' ? Number(el.value) : el.value;
    }
    hasBody = true;
  }
  // A redirect is not followed: the API answers what it did, never
  // elsewhere, so one means the address named no map or quote.
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin', redirect: 'manual' };
  if (hasBody && method !== 'GET' && method !== 'DELETE') {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (res.type === 'opaqueredirect') {
    throw new Error('Nothing was done: this address does not name a map or a quote.');
  }
  let data = null;
  if (res.status !== 204) {
    try { data = await res.json(); } catch (_) { /* not JSON: keep the status */ }
  }
  if (!res.ok) {
    throw new Error((data && data.error) || `The server answered ${res.status} ${res.statusText}.`);
  }
  return { data, fields };
}

document.addEventListener('submit', async (ev) => {
  const form = ev.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.classList.contains('dismiss')) {
    dismiss(ev, form);
    return;
  }
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) {
    ev.preventDefault();
    return;
  }
  if (!form.dataset.api || !window.fetch) return;
  ev.preventDefault();
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  say(form, '…', false);
  try {
    const { data, fields } = await sendForm(form);
    const then = form.dataset.then || 'reload';
    if (then === 'reload') {
      location.reload();
    } else if (then.startsWith('go:')) {
      location.assign(then.slice(3).replace('{name}', encodeURIComponent((data && data.name) || '')));
    } else {
      let text = form.dataset.done || 'Done.';
      if (fields.get('map')) {
        text = `Attached to ${fields.get('map')} · ${fields.get('category')}.`;
        // The attach control offers this map first from now on.
        document.cookie = `evident-map=${encodeURIComponent(fields.get('map'))}; path=/; max-age=31536000; samesite=strict`;
      }
      say(form, text, false);
      form.classList.add('done');
    }
  } catch (err) {
    say(form, err.message, true);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
});

// A dismissed suggestion disappears at once; the address keeps the list
// of dismissed ones so that a reload keeps them hidden.
function dismiss(ev, form) {
  ev.preventDefault();
  const inputs = form.querySelectorAll('input[name=dismiss]');
  const id = inputs[inputs.length - 1].value;
  // The same passage may be suggested for several cells: all go.
  for (const item of document.querySelectorAll('.suggestion')) {
    if (item.dataset.passage !== id) continue;
    const list = item.closest('details');
    item.remove();
    if (list && !list.querySelector('.suggestion')) list.remove();
  }
  const url = new URL(location.href);
  url.searchParams.delete('done');
  if (!url.searchParams.getAll('dismiss').includes(id)) url.searchParams.append('dismiss', id);
  history.replaceState(null, '', url);
}

// Themes by drag and drop: a quote dropped on a theme of its own cell (or
// on "no theme") moves there through the quote's own theme form, exactly
// as choosing the theme in its menu would; the menu stays for keyboards.
let dragged = null;
function themeTarget(ev) {
  const li = ev.target.closest && ev.target.closest('[data-theme]');
  if (!li || !dragged || li.closest('section.cell') !== dragged.closest('section.cell')) return null;
  return li;
}
document.addEventListener('dragstart', (ev) => {
  const q = ev.target.closest && ev.target.closest('li.quote[draggable="true"]');
  if (!q) return;
  dragged = q;
  ev.dataTransfer.setData('text/plain', q.id);
  ev.dataTransfer.effectAllowed = 'move';
});
document.addEventListener('dragover', (ev) => {
  const li = themeTarget(ev);
  if (!li) return;
  ev.preventDefault();
  ev.dataTransfer.dropEffect = 'move';
  li.classList.add('drop-here');
});
document.addEventListener('dragleave', (ev) => {
  const li = ev.target.closest && ev.target.closest('[data-theme]');
  if (li) li.classList.remove('drop-here');
});
document.addEventListener('drop', (ev) => {
  const li = themeTarget(ev);
  if (!li) return;
  ev.preventDefault();
  li.classList.remove('drop-here');
  const select = dragged.querySelector('form select[name="theme"]');
  dragged = null;
  if (!select) return;
  select.value = li.dataset.theme;
  select.form.requestSubmit();
});
document.addEventListener('dragend', () => { dragged = null; });
