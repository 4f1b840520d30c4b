/** Server-rendered pages of the console: plain HTML, one static script and style sheet, no inline code. */
import type { FieldEvidence } from '../../matching/types.js';
import { can, type OperatorIdentity } from './auth/identity.js';
import { COMPARED_FIELDS, compareAll, type FieldComparison } from './compare.js';
import { WORDS, type Lang, type Words } from './i18n.js';
import type { CaseDetail, PersonView, Queue, QueueFilter } from './review-port.js';

export interface StatusReport {
  readiness: { ready: boolean; checks: Record<string, string> };
  lag: { topic: string; partition: number; lag: number }[];
  deadLetters: { topic: string; count: number }[];
  deadLetterReasons: { topic: string; errorCode: string; count: number }[];
  outbox: { unsent: number; oldestAgeSeconds: number; parked: number };
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function layout(lang: Lang, title: string, csrf: string, who: OperatorIdentity | null, body: string): string {
  const w = WORDS[lang];
  const other = lang === 'vi' ? 'en' : 'vi';
  const nav = who
    ? `<nav><a href="/review">${esc(w.queue)}</a> <a href="/status">${esc(w.status)}</a>
  <span class="who" data-testid="who">${esc(who.displayName)} (${esc(who.role)})</span>
  <button type="button" id="logout">${esc(w.logout)}</button></nav>`
    : '';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${esc(csrf)}">
<title>${esc(title)} · ${esc(w.title)}</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header><strong>${esc(w.title)}</strong> ${nav} <a class="lang" href="?lang=${other}">${other.toUpperCase()}</a></header>
<main>
${body}
</main>
</body>
</html>`;
}

export function loginPage(lang: Lang, csrf: string, oidc: boolean, error: string | null = null): string {
  const w = WORDS[lang];
  return layout(
    lang,
    w.login,
    csrf,
    null,
    `<h1>${esc(w.login)}</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<p class="error" id="login-error" role="alert" hidden data-failed="${esc(w.loginFailed)}" data-toomany="${esc(w.tooMany)}"></p>
${oidc ? `<p><a class="button" id="oidc-login" href="/auth/oidc/login">${esc(w.loginOidc)}</a></p>` : ''}
<form id="login-form" method="post" action="/auth/login">
<fieldset><legend>${esc(w.loginLocal)}</legend>
<label>${esc(w.user)} <input name="login" autocomplete="username" required></label>
<label>${esc(w.password)} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">${esc(w.login)}</button>
</fieldset>
</form>`,
  );
}

const KINDS = ['DEFENCE_CODE_MAPPING', 'CHILD_REGISTRATION', 'ADULT_REGISTRATION'];

export function queuePage(lang: Lang, csrf: string, who: OperatorIdentity, q: Queue, f: QueueFilter): string {
  const w = WORDS[lang];
  const opt = (value: string, label: string, selected: boolean) =>
    `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
  const rows = q.cases
    .map(
      (c) => `<tr data-href="/review/${encodeURIComponent(c.caseId)}" tabindex="-1">
<td><a href="/review/${encodeURIComponent(c.caseId)}">${esc(c.caseId)}</a></td>
<td>${esc(c.kind)}</td><td>${esc(c.reasonCodes.join(', '))}</td><td>${esc(c.provinceCode ?? '—')}</td>
<td>${esc(formatAge(c.ageSeconds))}</td><td>${c.candidateCount}</td>
<td>${c.bestScore === null ? '—' : c.bestScore.toFixed(1)}</td>
<td>${esc(c.status === 'open' ? w.open : `${w.resolved}: ${c.resolution ?? ''} (${c.resolvedBy ?? ''})`)}</td></tr>`,
    )
    .join('\n');
  const byKind = Object.entries(q.openByKind)
    .map(([k, n]) => `${esc(k)}: ${n}`)
    .join(' · ');
  return layout(
    lang,
    w.queue,
    csrf,
    who,
    `<h1>${esc(w.queue)}</h1>
<p class="summary"><span>${esc(w.openCases)}: <strong data-testid="open-count">${Object.values(q.openByKind).reduce((a, b) => a + b, 0)}</strong> (${byKind || '—'})</span>
<span>${esc(w.oldestOpen)}: <strong data-testid="oldest-age">${esc(formatAge(q.oldestOpenAgeSeconds))}</strong></span></p>
<form id="filters" method="get" action="/review">
<label>${esc(w.caseStatus)} <select name="status">${opt('open', w.open, (f.status ?? 'open') === 'open')}${opt('resolved', w.resolved, f.status === 'resolved')}${opt('all', w.all, f.status === 'all')}</select></label>
<label>${esc(w.kind)} <select name="kind">${opt('', w.any, !f.kind)}${KINDS.map((k) => opt(k, k, f.kind === k)).join('')}</select></label>
<label>${esc(w.reason)} <input name="reason" value="${esc(f.reasonCode ?? '')}" size="18"></label>
<label>${esc(w.province)} <input name="province" value="${esc(f.provinceCode ?? '')}" size="3"></label>
<label>${esc(w.minAge)} <input name="minAgeHours" type="number" min="0" value="${esc(f.minAgeHours ?? '')}" size="4"></label>
<button type="submit">${esc(w.filter)}</button>
</form>
${
  q.cases.length === 0
    ? `<p>${esc(w.none)}</p>`
    : `<table id="queue"><thead><tr><th>${esc(w.caseId)}</th><th>${esc(w.kind)}</th><th>${esc(w.reason)}</th><th>${esc(w.province)}</th><th>${esc(w.age)}</th><th>${esc(w.candidates)}</th><th>${esc(w.bestScore)}</th><th>${esc(w.caseStatus)}</th></tr></thead>
<tbody>${rows}</tbody></table>`
}
<p class="hint">${esc(w.shortcuts)}</p>`,
  );
}

function fieldValue(p: PersonView, f: keyof PersonView, w: Words): string {
  if (f === 'dob') return p.dob ? `${p.dob}${p.dobPrecision ? ` (${p.dobPrecision})` : ''}` : '—';
  if (f === 'provinceCode')
    return p.provinceCode
      ? p.provinceCode2025 && p.provinceCode2025 !== p.provinceCode
        ? `${p.provinceCode} → ${p.provinceCode2025}`
        : p.provinceCode
      : '—';
  if (f === 'householdHead' && p.relationToHead) return `${p.householdHead ?? '—'} (${p.relationToHead})`;
  void w;
  return p[f] ?? '—';
}

function evidenceTable(ev: FieldEvidence[], w: Words): string {
  if (ev.length === 0) return '';
  return `<table class="evidence"><caption>${esc(w.evidence)}</caption><thead><tr><th>${esc(w.field)}</th><th>${esc(w.level)}</th><th>${esc(w.weight)}</th></tr></thead><tbody>
${ev.map((e) => `<tr><td>${esc(e.field)}</td><td>${esc(e.level)}</td><td class="num">${e.weight.toFixed(2)}</td></tr>`).join('')}
</tbody></table>`;
}

/** The declaration and each candidate side by side; cells carry their comparison as a class and a title. */
export function casePage(
  lang: Lang,
  csrf: string,
  who: OperatorIdentity,
  c: CaseDetail,
  masked: boolean,
  comparisons: Record<string, Record<string, FieldComparison>>,
): string {
  const w = WORDS[lang];
  const mayResolve = c.status === 'open' && can.resolve(who.role);
  const head = c.candidates
    .map(
      (cand, i) =>
        `<th scope="col" data-member="${esc(cand.memberId)}">${esc(w.candidate)} ${i + 1}: ${esc(cand.memberId)}<br><span class="score">${esc(w.score)} ${cand.score.toFixed(1)}</span></th>`,
    )
    .join('');
  const rows = COMPARED_FIELDS.map((f) => {
    const cells = c.candidates
      .map((cand) => {
        if (!cand.member) return `<td class="missing">${esc(w.notInHgd)}</td>`;
        const cmp = comparisons[cand.memberId]?.[f] ?? 'missing';
        return `<td class="cmp-${cmp}" data-field="${f}" data-cmp="${cmp}" title="${esc(w[cmp])}">${esc(fieldValue(cand.member, f, w))}</td>`;
      })
      .join('');
    return `<tr><th scope="row">${esc(w.fields[f])}</th><td class="declared" data-field="${f}">${esc(fieldValue(c.declaration, f, w))}</td>${cells}</tr>`;
  }).join('\n');
  const actions = c.candidates
    .map(
      (cand, i) =>
        `<td>${mayResolve && cand.member ? `<button type="button" class="choose" data-member="${esc(cand.memberId)}" data-key="${i + 1}">${i + 1}. ${esc(w.choose)}</button>` : ''}${evidenceTable(cand.evidence, w)}</td>`,
    )
    .join('');
  const context = Object.entries(c.context)
    // Already masked for viewers (the server masks the whole case before rendering).
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  const resolved =
    c.status === 'resolved'
      ? `<p class="resolved" data-testid="resolved">${esc(w.resolution)}: ${esc(c.resolution)}${c.resolutionMemberId ? ` ${esc(c.resolutionMemberId)}` : ''} · ${esc(w.resolvedBy)}: ${esc(c.resolvedBy)}${c.note ? ` · ${esc(c.note)}` : ''}</p>`
      : '';
  const resolveForm = mayResolve
    ? `<section id="resolve" data-case="${esc(c.caseId)}" data-done="${esc(w.done)}">
<label>${esc(w.note)} <textarea id="note" rows="2" cols="60"></textarea></label>
<button type="button" id="no-match" data-key="n">n. ${esc(w.noMatch)}</button>
<p class="error" id="resolve-error" role="alert" hidden></p>
${
  can.override(who.role)
    ? `<details id="override"><summary>${esc(w.override)}</summary>
<label>${esc(w.memberId)} <input id="override-member"></label>
<label>${esc(w.overrideReason)} <textarea id="override-reason" rows="2" cols="60"></textarea></label>
<button type="button" id="override-submit">${esc(w.overrideSubmit)}</button></details>`
    : ''
}
</section>`
    : '';
  return layout(
    lang,
    c.caseId,
    csrf,
    who,
    `<p><a href="/review" id="back">${esc(w.back)}</a></p>
<h1>${esc(c.caseId)}</h1>
<p>${esc(c.kind)} · ${esc(c.reasonCodes.join(', '))} · ${esc(w.opened)} ${esc(c.openedAt.slice(0, 16).replace('T', ' '))} UTC (${esc(formatAge(c.ageSeconds))})</p>
${masked ? `<p class="masked">${esc(w.masked)}</p>` : ''}
${context ? `<dl class="context">${context}</dl>` : ''}
${resolved}
<table id="compare"><thead><tr><th></th><th scope="col">${esc(w.declaration)}</th>${head}</tr></thead>
<tbody>${rows}
<tr class="actions"><th></th><td></td>${actions}</tr></tbody></table>
<p class="legend"><span class="cmp-same">${esc(w.same)}</span> <span class="cmp-variant">${esc(w.variant)}</span> <span class="cmp-different">${esc(w.different)}</span> <span class="cmp-missing">${esc(w.missing)}</span></p>
${resolveForm}`,
  );
}

export function compareCase(c: CaseDetail): Record<string, Record<string, FieldComparison>> {
  const out: Record<string, Record<string, FieldComparison>> = {};
  for (const cand of c.candidates)
    if (cand.member) out[cand.memberId] = compareAll(c.declaration, cand.member);
  return out;
}

export function statusPage(lang: Lang, csrf: string, who: OperatorIdentity, s: StatusReport): string {
  const w = WORDS[lang];
  const table = (headers: string[], rows: (string | number)[][]) =>
    rows.length === 0
      ? '<p>—</p>'
      : `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
  return layout(
    lang,
    w.status,
    csrf,
    who,
    `<h1>${esc(w.status)}</h1>
<h2>${esc(w.readiness)}: <span data-testid="ready" class="${s.readiness.ready ? 'ok' : 'bad'}">${esc(s.readiness.ready ? w.ready : w.notReady)}</span></h2>
${table(['check', ''], Object.entries(s.readiness.checks))}
<h2>${esc(w.lag)}</h2>
${table(
  [w.topic, w.partition, 'lag'],
  s.lag.map((l) => [l.topic, l.partition, l.lag]),
)}
<h2>${esc(w.deadLetters)}</h2>
${table(
  [w.topic, w.count],
  s.deadLetters.map((d) => [d.topic, d.count]),
)}
<h2>${esc(w.deadLetterReasons)}</h2>
${table(
  [w.topic, w.reason, w.count],
  s.deadLetterReasons.map((d) => [d.topic, d.errorCode, d.count]),
)}
<h2>${esc(w.outbox)}: <span data-testid="outbox">${s.outbox.unsent}</span></h2>
<p>${esc(w.outboxAge)}: ${s.outbox.oldestAgeSeconds.toFixed(0)}</p>
<p>${esc(w.outboxParked)}: <span data-testid="outbox-parked">${s.outbox.parked}</span></p>`,
  );
}

/** After the provider's redirect: a same-site navigation, so the SameSite=Strict session cookie is sent. */
export function continuePage(to: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${esc(to)}"><title>…</title></head><body><a href="${esc(to)}">${esc(to)}</a></body></html>`;
}
