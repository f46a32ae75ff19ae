import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

let csrf = '';
export function setCsrf(token) {
  csrf = token;
}

/** JSON from the daemon; throws an Error carrying the daemon's message and the HTTP status. */
export async function api(path, { method = 'GET', body, raw, headers = {} } = {}) {
  const opts = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (method !== 'GET') opts.headers['X-Colophon-CSRF'] = csrf;
  if (raw !== undefined) {
    opts.body = raw;
    opts.headers['Content-Type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(`/api${path}`, opts);
  const text = await res.text();
  let data = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = { error: text };
  }
  if (!res.ok) throw Object.assign(new Error(data?.error ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

export const fileName = (p) => (p ?? '').split(/[\\/]/).pop();
export const shortHash = (h) => (h == null ? '' : `${h.slice(0, 12)}…`);

export function when(iso) {
  if (iso == null) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function day(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export const DATA_MINING_LABEL = {
  'DMI-UNSPECIFIED': 'not specified',
  'DMI-ALLOWED': 'AI/ML use allowed',
  'DMI-PROHIBITED-AIMLTRAINING': 'no AI/ML training',
  'DMI-PROHIBITED-GENAIMLTRAINING': 'no generative AI training',
  'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING': 'no mining except search indexing',
  'DMI-PROHIBITED': 'all data mining prohibited',
  'DMI-PROHIBITED-SEECONSTRAINT': 'prohibited, see constraints',
  'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR': 'prohibited, see embedded rights',
  'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR': 'prohibited, see linked rights',
};

export function ErrorNote({ error }) {
  if (error == null) return null;
  return html`<p class="note bad" role="alert">${String(error.message ?? error)}</p>`;
}
