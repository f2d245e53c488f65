/* chipaudit-collector's dashboard: one page, hash routes, plain JavaScript.
 *
 * Every figure comes from this collector's /v1/query/NAME with the operator's
 * token (Authorization: Bearer), kept in sessionStorage. Text from the
 * reports (hostnames, host ids, check names, subjects, details) is hostile:
 * it reaches the page as text nodes and attribute values only (el() below),
 * never as markup. Routes:
 *   #/                         overview
 *   #/hosts?check=&model=&trust=&silent=1&offset=&limit=
 *   #/host/ID                  a host: reports, chain, findings now
 *   #/host/ID/diff?from=A&to=B two of its reports: the findings that changed
 *   #/chip/ID                  a chip (GPU UUID or chip id) across hosts and time
 *   #/incidents
 */
(function () {
  'use strict';

  const TOKEN_KEY = 'chipaudit-collector-token';
  const PAGE = 50;
  const SVG = 'http://www.w3.org/2000/svg';
  let rendering = 0; // the route being drawn: an older one's answers are dropped

  /* --- elements: text is always a text node */

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined && v !== false) e.setAttribute(k, String(v));
    }
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  /* A link to a route; its parts are encoded, so the href is always a fragment. */
  function route(...parts) {
    return '#/' + parts.map(encodeURIComponent).join('/');
  }

  function withQuery(href, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined && v !== '') q.set(k, v);
    }
    const s = q.toString();
    return s ? href + '?' + s : href;
  }

  function link(href, text, attrs) {
    return el('a', Object.assign({ href }, attrs || {}), text);
  }

  function show(v) {
    return v === null || v === undefined ? '-' : String(v);
  }

  function badge(status) {
    return el('span', { class: 'badge status-' + (/^(pass|warn|fail|skip|error)$/.test(status) ? status : 'none') },
      show(status));
  }

  function table(id, headers, rows) {
    return el('table', { id },
      el('thead', null, el('tr', null, headers.map((h) => el('th', null, h)))),
      el('tbody', null, rows.map((cells) => el('tr', null, cells.map((c) => el('td', null, c))))));
  }

  /* --- the token and the queries */

  class Refused extends Error {
    constructor(status, reason) {
      super(reason);
      this.status = status;
    }
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  }

  async function api(name, params) {
    const resp = await fetch(withQuery('/v1/query/' + encodeURIComponent(name), params || {}), {
      headers: { Authorization: 'Bearer ' + token() },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
    let body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = { reason: 'the collector answered HTTP ' + resp.status + ', not JSON' };
    }
    if (resp.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(body.reason || 'refused');
      throw new Refused(401, body.reason);
    }
    if (!resp.ok || !body || body.status !== 'answered') {
      throw new Refused(resp.status, (body && body.reason) || 'HTTP ' + resp.status);
    }
    return body.answer;
  }

  function showLogin(reason) {
    document.getElementById('view').hidden = true;
    document.getElementById('nav').hidden = true;
    document.getElementById('login').hidden = false;
    document.getElementById('login-error').textContent = reason ? 'Refused: ' + reason : '';
    document.getElementById('token').focus();
  }

  async function login(ev) {
    ev.preventDefault();
    const input = document.getElementById('token');
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    input.value = '';
    try {
      await api('summary');
    } catch (e) {
      if (!(e instanceof Refused) || e.status !== 401) {
        document.getElementById('login-error').textContent = 'Refused: ' + e.message;
      }
      return;
    }
    document.getElementById('login').hidden = true;
    render();
  }

  function logout() {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('');
  }

  /* --- pages */

  /* Draw a page: PAGE(params...) returns its nodes; errors shown in its place. */
  async function draw(name, page, ...args) {
    const mine = ++rendering;
    const view = document.getElementById('view');
    view.hidden = false;
    view.dataset.page = name;
    view.dataset.ready = '';
    view.replaceChildren(el('p', { class: 'loading' }, 'Loading...'));
    let nodes;
    try {
      nodes = await page(...args);
    } catch (e) {
      if (e instanceof Refused && e.status === 401) return;
      nodes = [el('h2', null, 'Not available'), el('p', { class: 'error', role: 'alert' }, e.message)];
    }
    if (mine !== rendering) return;
    view.replaceChildren(...nodes);
    view.dataset.ready = name;
  }

  function card(key, label, value, href) {
    return el('div', { class: 'card', 'data-key': key },
      el('div', { class: 'value' }, href ? link(href, show(value)) : show(value)),
      el('div', { class: 'label' }, label));
  }

  /* Reports per day as bars, by hand: one rect a day, its figure in its title. */
  function trendChart(days) {
    const w = 720, h = 160, left = 40, bottom = 20, top = 10;
    const max = Math.max(1, ...days.map((d) => d.reports));
    const step = (w - left) / Math.max(1, days.length);
    const scale = (h - bottom - top) / max;
    const chart = svg('svg', { id: 'trend', class: 'chart', viewBox: `0 0 ${w} ${h}`, role: 'img',
      'aria-label': 'reports received per day' });
    chart.append(svg('line', { x1: left, y1: h - bottom, x2: w, y2: h - bottom, class: 'axis' }));
    chart.append(svg('text', { x: left - 4, y: top + 8, 'text-anchor': 'end', class: 'tick' }, String(max)));
    chart.append(svg('text', { x: left - 4, y: h - bottom, 'text-anchor': 'end', class: 'tick' }, '0'));
    days.forEach((d, i) => {
      const bh = d.reports * scale;
      const bar = svg('rect', { x: (left + i * step + 1).toFixed(1), y: (h - bottom - bh).toFixed(1),
        width: Math.max(1, step - 2).toFixed(1), height: bh.toFixed(1), class: 'bar',
        'data-day': d.day, 'data-reports': d.reports });
      bar.append(svg('title', null, `${d.day}: ${d.reports} reports`));
      chart.append(bar);
    });
    if (days.length) {
      chart.append(svg('text', { x: left, y: h - 4, class: 'tick' }, days[0].day));
      chart.append(svg('text', { x: w, y: h - 4, 'text-anchor': 'end', class: 'tick' }, days[days.length - 1].day));
    }
    return chart;
  }

  async function overviewPage() {
    const [s, o] = await Promise.all([api('summary'), api('overview')]);
    const total = o.reports_per_day.reduce((a, d) => a + d.reports, 0);
    return [
      el('h2', null, 'Fleet overview'),
      el('div', { id: 'cards', class: 'cards' },
        card('hosts', 'hosts', s.hosts, '#/hosts'),
        card('accelerators', 'accelerators', s.accelerators),
        card('silent', 'silent hosts', o.silent_hosts, withQuery('#/hosts', { silent: 1 })),
        card('incidents', 'incidents', o.incidents, '#/incidents'),
        card('recent-incidents', `incidents, last ${o.days} days`, o.recent_incidents, '#/incidents')),
      el('h3', null, `Reports received per day, last ${o.days} days (${total} in all)`),
      trendChart(o.reports_per_day),
      el('div', { class: 'columns' },
        el('section', null, el('h3', null, 'Accelerators by model'),
          table('by-model', ['model', 'accelerators'],
            s.by_model.map((m) => [link(withQuery('#/hosts', { model: m.model }), m.model), show(m.accelerators)]))),
        el('section', null, el('h3', null, 'Hosts by trust level'),
          table('by-trust', ['trust level', 'hosts'],
            s.by_trust_level.map((t) => [t.trust_level === null ? 'none' :
              link(withQuery('#/hosts', { trust: t.trust_level }), String(t.trust_level)), show(t.hosts)])))),
      el('h3', null, 'Checks, over every host\'s latest report'),
      table('checks', ['check', 'pass', 'warn', 'fail', 'skip', 'error'],
        s.checks.map((c) => [c.fail > 0 ? link(withQuery('#/hosts', { check: c.check }), c.check) : c.check,
          show(c.pass), show(c.warn), show(c.fail), show(c.skip), show(c.error)])),
    ];
  }

  function select(name, label, current, options) {
    const s = el('select', { name, id: 'filter-' + name },
      el('option', { value: '' }, 'any'),
      options.map((o) => el('option', { value: o.value, selected: o.value === current ? 'selected' : null }, o.label)));
    return el('label', null, label + ' ', s);
  }

  function hostsFilters(s, q) {
    const failing = s.checks.filter((c) => c.fail > 0).map((c) => ({ value: c.check, label: `${c.check} (${c.fail})` }));
    if (q.check && !failing.some((o) => o.value === q.check)) failing.push({ value: q.check, label: q.check });
    const form = el('form', { id: 'filters', class: 'filters' },
      select('check', 'failing', q.check, failing),
      select('model', 'model', q.model, s.by_model.map((m) => ({ value: m.model, label: m.model }))),
      select('trust', 'trust level', q.trust, s.by_trust_level.filter((t) => t.trust_level !== null)
        .map((t) => ({ value: String(t.trust_level), label: String(t.trust_level) }))),
      el('label', null, el('input', { type: 'checkbox', name: 'silent', id: 'filter-silent',
        checked: q.silent === '1' ? 'checked' : null }), ' silent only'),
      el('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      location.hash = withQuery('#/hosts', { check: f.get('check'), model: f.get('model'), trust: f.get('trust'),
        silent: f.get('silent') ? '1' : '' });
    });
    return form;
  }

  async function hostsPage(q) {
    const offset = Math.max(0, parseInt(q.offset || '0', 10) || 0);
    const limit = Math.min(200, Math.max(1, parseInt(q.limit || String(PAGE), 10) || PAGE));
    const filter = { check: q.check, model: q.model, trust: q.trust, silent: q.silent,
      limit: limit === PAGE ? null : limit };
    const [s, page] = await Promise.all([api('summary'),
      api('hosts', Object.assign({}, filter, { offset, limit }))]);
    const rows = page.hosts.map((h) => [
      link(route('host', h.host_id), h.host_id), show(h.hostname), show(h.trust_level), badge(h.worst),
      show(h.accelerators), show(h.failing), show(h.last_sequence), show(h.last_received_at),
      h.silent ? el('span', { class: 'badge status-fail' }, 'silent') : '']);
    const first = page.total ? offset + 1 : 0, last = offset + page.hosts.length;
    const pager = el('p', { id: 'pager', class: 'pager' },
      offset > 0 ? link(withQuery('#/hosts', Object.assign({}, filter, { offset: Math.max(0, offset - limit) })),
        'previous', { id: 'prev' }) : null,
      el('span', { id: 'range' }, ` hosts ${first} to ${last} of ${page.total} `),
      last < page.total ? link(withQuery('#/hosts', Object.assign({}, filter, { offset: offset + limit })), 'next',
        { id: 'next' }) : null);
    return [el('h2', null, 'Hosts'), hostsFilters(s, q), pager,
      table('hosts', ['host id', 'hostname', 'trust', 'worst', 'accelerators', 'failing', 'sequence', 'last report',
        ''], rows)];
  }

  /* The chain as the reports and incidents show it: per key, sequences that follow. */
  function chainStatus(h) {
    const byKey = new Map();
    for (const r of h.reports) {
      if (!byKey.has(r.key_fingerprint)) byKey.set(r.key_fingerprint, []);
      byKey.get(r.key_fingerprint).push(r.sequence);
    }
    const missing = [];
    for (const seqs of byKey.values()) {
      seqs.sort((a, b) => a - b);
      for (let i = 1; i < seqs.length; i++) {
        if (seqs[i] > seqs[i - 1] + 1) missing.push(`${seqs[i - 1] + 1} to ${seqs[i] - 1}`);
      }
    }
    const broken = h.incidents.filter((i) => ['fork', 'reorder', 'replay', 'wrong-host', 'bad-signature']
      .includes(i.kind));
    const parts = [`${h.reports.length} reports, ${byKey.size} key${byKey.size === 1 ? '' : 's'}`];
    parts.push(missing.length ? 'missing: ' + missing.join(', ') : 'no gap');
    parts.push(broken.length ? `${broken.length} refused (fork, reorder, replay...)` : 'no fork or replay');
    return el('p', { id: 'chain', class: missing.length || broken.length ? 'warn' : 'ok' }, 'Chain: ' + parts.join('; '));
  }

  function diffForm(h) {
    const seqs = h.reports.map((r) => r.sequence);
    const opts = (cur) => seqs.map((s) => el('option', { value: s, selected: s === cur ? 'selected' : null }, String(s)));
    const from = el('select', { name: 'from', id: 'diff-from' }, opts(seqs.length > 1 ? seqs[seqs.length - 2] : seqs[0]));
    const to = el('select', { name: 'to', id: 'diff-to' }, opts(seqs[seqs.length - 1]));
    const form = el('form', { id: 'diff-form', class: 'inline' }, 'Compare report ', from, ' with ', to, ' ',
      el('button', { type: 'submit' }, 'Diff'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      location.hash = withQuery(route('host', h.host_id, 'diff'), { from: from.value, to: to.value });
    });
    return form;
  }

  async function hostPage(id) {
    const h = await api('host', { id });
    return [
      el('h2', null, 'Host ', el('span', { id: 'host-name' }, show(h.hostname)), ' ',
        el('code', { id: 'host-id' }, h.host_id)),
      el('dl', { class: 'facts' },
        el('dt', null, 'enrolled'), el('dd', null, `${h.enrolled_at} (${h.enrolment})`),
        el('dt', null, 'trust level'), el('dd', null, show(h.trust_level)),
        el('dt', null, 'worst now'), el('dd', null, badge(h.worst)),
        el('dt', null, 'last report'), el('dd', null, `${show(h.last_sequence)} at ${show(h.last_received_at)}`)),
      chainStatus(h),
      el('h3', null, 'Findings now, not passing'),
      h.not_passing.length ? table('not-passing', ['check', 'subject', 'status'],
        h.not_passing.map((f) => [f.check, f.subject, badge(f.status)])) :
        el('p', { id: 'not-passing' }, 'Every finding passes or is skipped.'),
      el('h3', null, 'Accelerators'),
      table('accelerators', ['chip', 'model', 'export class', 'PCI address'],
        h.accelerators.map((a) => [link(route('chip', a.chip_id), a.chip_id), show(a.model), show(a.export_class),
          show(a.pci_address)])),
      el('h3', null, 'Reports'),
      h.reports.length ? diffForm(h) : null,
      table('reports', ['sequence', 'received', 'report time', 'worst', 'trust', 'sha256'],
        h.reports.map((r) => [String(r.sequence), show(r.received_at), show(r.report_time), badge(r.worst),
          show(r.trust_level), el('code', { title: r.sha256 }, r.sha256.slice(0, 16))])),
      el('h3', null, 'Incidents'),
      table('host-incidents', ['at', 'kind', 'sequence', 'detail'],
        h.incidents.map((i) => [i.at, i.kind, show(i.sequence), i.detail])),
    ];
  }

  async function diffPage(id, q) {
    const d = await api('diff', { id, from: q.from, to: q.to });
    return [
      el('h2', null, 'Host ', link(route('host', d.host_id), d.host_id, { id: 'diff-host' })),
      el('p', { id: 'diff-reports' }, `Report ${d.from.sequence} (${d.from.received_at}, worst ${show(d.from.worst)}) to ` +
        `report ${d.to.sequence} (${d.to.received_at}, worst ${show(d.to.worst)})`),
      d.changed.length ? table('changed', ['check', 'subject', 'before', 'now'],
        d.changed.map((c) => [c.check, c.subject, c.before === null ? '(absent)' : badge(c.before),
          c.now === null ? '(absent)' : badge(c.now)])) :
        el('p', { id: 'changed' }, 'No finding changed its status.'),
    ];
  }

  async function chipPage(id) {
    const c = await api('chip', { id });
    return [
      el('h2', null, 'Chip ', el('code', { id: 'chip-title' }, c.chip_id)),
      el('dl', { class: 'facts' },
        el('dt', null, 'model'), el('dd', { id: 'chip-model' }, `${show(c.vendor)} ${show(c.model)}`),
        el('dt', null, 'UUID'), el('dd', null, show(c.uuid)),
        el('dt', null, 'serial'), el('dd', null, show(c.serial)),
        el('dt', null, 'export class'), el('dd', null, show(c.export_class)),
        el('dt', null, 'seen'), el('dd', null, `${c.first_seen} to ${c.last_seen}`),
        el('dt', null, 'now'), el('dd', null, link(route('host', c.host_id), c.host_id), ' at ', show(c.pci_address))),
      el('h3', null, 'Where it was'),
      table('history', ['host', 'PCI address', 'from', 'to', 'reports'],
        c.history.map((s) => [link(route('host', s.host_id), s.host_id), show(s.pci_address), s.from, s.to,
          String(s.reports)])),
    ];
  }

  async function incidentsPage() {
    const a = await api('incidents');
    const rows = a.incidents.slice().reverse();
    return [
      el('h2', null, `Incidents (${rows.length})`),
      table('incidents', ['at', 'kind', 'host', 'sequence', 'detail'],
        rows.map((i) => [i.at, el('span', { class: 'kind' }, i.kind),
          i.host_id === null ? '-' : link(route('host', i.host_id), i.host_id), show(i.sequence), i.detail])),
    ];
  }

  /* --- routing */

  function render() {
    if (!token()) {
      showLogin('');
      return;
    }
    document.getElementById('nav').hidden = false;
    document.getElementById('login').hidden = true;
    const hash = location.hash.replace(/^#\/?/, '');
    const cut = hash.indexOf('?');
    const path = cut < 0 ? hash : hash.slice(0, cut);
    const q = Object.fromEntries(new URLSearchParams(cut < 0 ? '' : hash.slice(cut + 1)));
    let parts;
    try {
      parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
    } catch (e) {
      parts = ['?'];
    }
    if (parts.length === 0) draw('overview', overviewPage);
    else if (parts[0] === 'hosts' && parts.length === 1) draw('hosts', hostsPage, q);
    else if (parts[0] === 'host' && parts.length === 2) draw('host', hostPage, parts[1]);
    else if (parts[0] === 'host' && parts.length === 3 && parts[2] === 'diff') draw('diff', diffPage, parts[1], q);
    else if (parts[0] === 'chip' && parts.length === 2) draw('chip', chipPage, parts[1]);
    else if (parts[0] === 'incidents' && parts.length === 1) draw('incidents', incidentsPage);
    else draw('none', async () => [el('h2', null, 'No such page'), link('#/', 'the overview')]);
  }

  function start() {
    document.getElementById('login-form').addEventListener('submit', login);
    document.getElementById('logout').addEventListener('click', logout);
    document.getElementById('chip-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = document.getElementById('chip-id').value.trim();
      if (id) location.hash = route('chip', id);
    });
    window.addEventListener('hashchange', render);
    render();
  }

  start();
}());
