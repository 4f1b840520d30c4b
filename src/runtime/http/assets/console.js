// The console's only script (served from /assets, so the CSP needs no 'unsafe-inline').
'use strict';
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';
  async function post(url, body) {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await res.json();
    } catch {
      // no JSON body
    }
    return { status: res.status, data };
  }
  const show = (el, text) => {
    if (!el) return;
    el.textContent = text;
    el.hidden = false;
  };

  // Login.
  const form = document.getElementById('login-form');
  if (form) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const err = document.getElementById('login-error');
      const r = await post('/auth/login', { login: form.login.value, password: form.password.value });
      if (r.status === 200) {
        location.assign('/review');
        return;
      }
      show(err, r.status === 429 ? err.dataset.toomany : err.dataset.failed);
    });
  }

  // Logout.
  document.getElementById('logout')?.addEventListener('click', async () => {
    await post('/auth/logout', {});
    location.assign('/login');
  });

  // Queue: j/k move, Enter opens, / focuses the filters, r reloads.
  const rows = Array.from(document.querySelectorAll('#queue tbody tr'));
  let current = -1;
  const select = (i) => {
    if (rows.length === 0) return;
    current = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.classList.toggle('selected', j === current));
    rows[current].focus();
  };
  rows.forEach((r, i) =>
    r.addEventListener('click', (e) => {
      if (e.target.tagName !== 'A') location.assign(r.dataset.href);
      current = i;
    }),
  );

  // Case: 1–9 picks a candidate, n no match, Esc back to the queue.
  const section = document.getElementById('resolve');
  const resolveError = document.getElementById('resolve-error');
  async function resolve(body) {
    const caseId = section.dataset.case;
    const note = document.getElementById('note')?.value || '';
    const r = await post(
      `/review-cases/${encodeURIComponent(caseId)}/resolve`,
      note ? { ...body, note } : body,
    );
    if (r.status === 200) {
      location.reload();
      return;
    }
    show(resolveError, `${r.status} ${r.data.error || ''}: ${r.data.message || ''}`);
  }
  if (section) {
    document
      .querySelectorAll('button.choose')
      .forEach((b) => b.addEventListener('click', () => resolve({ memberId: b.dataset.member })));
    document.getElementById('no-match')?.addEventListener('click', () => resolve({ noMatch: true }));
    document.getElementById('override-submit')?.addEventListener('click', () =>
      resolve({
        memberId: document.getElementById('override-member').value.trim(),
        override: { reason: document.getElementById('override-reason').value },
      }),
    );
  }

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) {
      if (e.key === 'Escape') t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (rows.length > 0) {
      if (e.key === 'j') select(current + 1);
      else if (e.key === 'k') select(current - 1);
      else if (e.key === 'Enter' && current >= 0) location.assign(rows[current].dataset.href);
    }
    if (e.key === '/') {
      e.preventDefault();
      document.querySelector('#filters input, #filters select')?.focus();
    } else if (e.key === 'r' && rows.length >= 0 && document.getElementById('queue')) {
      location.reload();
    } else if (section && /^[1-9]$/.test(e.key)) {
      document.querySelector(`button.choose[data-key="${e.key}"]`)?.click();
    } else if (section && e.key === 'n') {
      document.getElementById('no-match')?.click();
    } else if (e.key === 'Escape' && document.getElementById('back')) {
      location.assign('/review');
    }
  });
})();
