/*
 * The sandbox's Kommo double: loads the widget the way Kommo does (RequireJS, `define` module,
 * instance with the helpers on `this`, callbacks in Kommo's order), provides APP with a
 * notification centre, card pages, a settings modal and in-app navigation with `page:changed`.
 * https://developers.kommo.com/docs/script-js  https://developers.kommo.com/docs/js-sdk
 *
 * Everything the widget asks of the host is also recorded in `window.__sandbox` for the tests.
 */
(function () {
  'use strict';

  var KEYS = { user: 'sandbox.user', lang: 'sandbox.lang', settings: 'sandbox.settings', active: 'sandbox.active' };
  var CARD_PATHS = { contact: 'contacts', lead: 'leads', company: 'companies', customer: 'customers' };
  var TYPE_NAMES = { contacts: 'Contact', companies: 'Company', leads: 'Lead', customers: 'Customer' };
  var FALLBACK_FIELDS = {
    ws_url: { name: 'settings.ws_url', type: 'text' },
    poll_url: { name: 'settings.poll_url', type: 'text' },
    poll_interval: { name: 'settings.poll_interval', type: 'text' },
    token: { name: 'settings.token', type: 'pass' },
    phones: { name: 'settings.phones', type: 'users' },
    country: { name: 'settings.country', type: 'text' },
    notify_mode: { name: 'settings.notify_mode', type: 'text' },
  };

  var S = (window.__sandbox = {
    ready: false,
    /** Every call the widget made to APP.notifications.*, with its argument. */
    calls: { show_notification: [], add_call: [], show_message: [], show_message_error: [], add_error: [] },
    /** Callbacks the host ran, in order: 'render', 'init', 'bind_actions', 'destroy', 'settings', 'onSave:Y'... */
    lifecycle: [],
    /** Errors the widget threw into the host (there should be none). */
    errors: [],
    pageChanged: 0,
    navigations: [],
    actions: {},
    widget: null,
    navigate: null,
    openSettings: null,
    bell: [],
    /** When each APP.notifications call happened (ms since the epoch), for the benchmarks. */
    timeline: [],
  });

  /** How many times the widget called each APP.notifications method. */
  S.counts = function () {
    var out = {};
    Object.keys(S.calls).forEach(function (k) {
      out[k] = S.calls[k].length;
    });
    return out;
  };

  var params = new URLSearchParams(location.search);
  var state = {
    config: null,
    manifest: null,
    lang: localStorage.getItem(KEYS.lang) || 'en',
    langData: {},
    user: null,
    Widget: null,
    widget: null,
    initDone: false,
    $: null,
    _: null,
    bell: [],
    unread: 0,
  };

  function $id(id) {
    return document.getElementById(id);
  }

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fetchJson(url) {
    return fetch(url, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error(url + ' answered ' + r.status);
      return r.json();
    });
  }

  function readSettings() {
    try {
      var v = JSON.parse(localStorage.getItem(KEYS.settings) || 'null');
      if (v && typeof v === 'object') return v;
    } catch (e) {
      /* fall through to defaults */
    }
    return defaultSettings();
  }

  function writeSettings(values) {
    localStorage.setItem(KEYS.settings, JSON.stringify(values));
  }

  /** Out of the box the widget points at this sandbox's relay, one extension per user. */
  function defaultSettings() {
    var phones = {};
    state.config.users.forEach(function (u) {
      phones[String(u.id)] = u.extension;
    });
    return {
      ws_url: state.config.wsUrl,
      poll_url: '',
      poll_interval: '3',
      token: state.config.token,
      phones: phones,
      country: 'US',
      notify_mode: 'widget',
    };
  }

  function isActive() {
    return (localStorage.getItem(KEYS.active) || 'Y') === 'Y';
  }

  // ---------- area / route ----------
  function areaOf(pathname) {
    var m = /^\/(contacts|companies|leads|customers)\/(detail|list|add|pipeline)/.exec(pathname);
    if (!m) return /^\/settings/.test(pathname) ? 'settings' : 'dashboard';
    var card = { contacts: 'ccard', companies: 'comcard', leads: 'lcard', customers: 'cucard' }[m[1]];
    var list = { contacts: 'clist', companies: 'clist', leads: 'llist', customers: 'culist' }[m[1]];
    if (m[2] === 'detail' || m[2] === 'add') return card;
    return list;
  }

  // ---------- APP double ----------
  function managers() {
    var out = {};
    state.config.users.forEach(function (u) {
      out[u.id] = { id: u.id, title: u.name, login: u.login, active: true, is_admin: u === state.config.users[0] ? 'Y' : 'N' };
    });
    return out;
  }

  function record(kind, data) {
    var copy;
    try {
      copy = JSON.parse(JSON.stringify(data));
    } catch (e) {
      copy = { unserialisable: String(e) };
    }
    S.calls[kind].push(copy);
    S.timeline.push({ kind: kind, at: Date.now() });
  }

  window.APP = window.AMOCRM = {
    lang_id: state.lang,
    constant: function (name) {
      if (name === 'user') return { id: state.user.id, name: state.user.name, login: state.user.login };
      if (name === 'account') return { id: 31000001, subdomain: 'sandbox', name: 'Sandbox account', currency: 'USD' };
      if (name === 'managers') return managers();
      if (name === 'lang') return state.lang;
      return undefined;
    },
    notifications: {
      show_notification: function (data) {
        record('show_notification', data);
        showPopup(data);
      },
      add_call: function (data) {
        record('add_call', data);
        addBellEntry(data);
      },
      show_message: function (data) {
        record('show_message', data);
        showToast(data, 'message');
      },
      show_message_error: function (data) {
        record('show_message_error', data);
        showToast(data, 'error');
      },
      add_error: function (data) {
        record('add_error', data);
        showToast(data, 'error');
      },
    },
  };

  // ---------- pop-ups (show_notification) ----------
  function popupMs() {
    var fromQuery = Number(params.get('popup_ms'));
    return fromQuery > 0 ? fromQuery : state.config.popupMs;
  }

  function showPopup(data) {
    var text = (data && data.text) || {};
    var el = document.createElement('div');
    el.className = 'popup popup-' + esc((data && data.type) || 'call');
    el.setAttribute('data-testid', 'popup');
    var head = document.createElement('div');
    head.className = 'popup-header';
    head.setAttribute('data-testid', 'popup-header');
    // Kommo renders both parts as HTML; the widget is responsible for escaping what it puts in.
    head.innerHTML = String(text.header == null ? '' : text.header);
    var body = document.createElement('div');
    body.className = 'popup-text';
    body.setAttribute('data-testid', 'popup-text');
    body.innerHTML = String(text.text == null ? '' : text.text);
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'popup-close';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '\u00d7';
    close.onclick = function () {
      el.remove();
    };
    el.appendChild(close);
    el.appendChild(head);
    el.appendChild(body);
    $id('popups').appendChild(el);
    setTimeout(function () {
      el.classList.add('leaving');
      setTimeout(function () {
        el.remove();
      }, 400);
    }, popupMs());
  }

  function showToast(data, kind) {
    var el = document.createElement('div');
    el.className = 'popup toast toast-' + kind;
    el.setAttribute('data-testid', 'toast-' + kind);
    el.innerHTML = '<div class="popup-header">' + esc(data && data.header) + '</div><div class="popup-text">' + esc(data && data.text) + '</div>';
    $id('popups').appendChild(el);
    setTimeout(function () {
      el.remove();
    }, 6000);
  }

  // ---------- notification centre (add_call) under the bell ----------
  function formatDuration(seconds) {
    var s = Math.max(0, Math.floor(Number(seconds) || 0));
    var m = Math.floor(s / 60);
    var rest = s % 60;
    return m + ':' + (rest < 10 ? '0' : '') + rest;
  }

  function addBellEntry(data) {
    var entry = { data: data || {}, at: Date.now() };
    var el = data && data.element;
    // Kommo keeps one notification per element, the last one.
    if (el && el.id && el.type) {
      state.bell = state.bell.filter(function (e) {
        var o = e.data.element;
        return !(o && String(o.id) === String(el.id) && o.type === el.type);
      });
    }
    state.bell.unshift(entry);
    S.bell = state.bell.map(function (e) {
      return e.data;
    });
    state.unread += 1;
    renderBell();
  }

  function renderBell() {
    var count = $id('bell-count');
    count.textContent = String(state.unread);
    count.hidden = state.unread === 0;
    $id('bell-empty').hidden = state.bell.length > 0;
    var list = $id('bell-entries');
    list.innerHTML = '';
    state.bell.forEach(function (e) {
      var d = e.data;
      var li = document.createElement('li');
      li.className = 'bell-entry';
      li.setAttribute('data-testid', 'bell-entry');
      var when = new Date((d.date ? d.date * 1000 : e.at)).toLocaleTimeString();
      // Like Kommo, the centre renders add_call's text, from and to as HTML: the widget escapes them.
      var html =
        '<div class="bell-text" data-testid="bell-text">' + String(d.text || '') + '</div>' +
        '<div class="bell-meta"><span data-testid="bell-from">' + String(d.from || '') + '</span> &rarr; <span data-testid="bell-to">' + String(d.to || '') + '</span>' +
        ' &middot; <span data-testid="bell-duration">' + formatDuration(d.duration) + '</span> &middot; ' + esc(when) + '</div>';
      var links = [];
      if (d.element && d.element.id && CARD_PATHS[d.element.type]) {
        links.push('<a class="js-navigate-link" data-testid="bell-open" href="/' + CARD_PATHS[d.element.type] + '/detail/' + encodeURIComponent(d.element.id) + '">Open card</a>');
      }
      if (d.link && /^https?:\/\//i.test(d.link)) {
        links.push('<a data-testid="bell-recording" target="_blank" rel="noopener" href="' + esc(d.link) + '">&#9654; Recording</a>');
      }
      if (links.length) html += '<div class="bell-links">' + links.join(' ') + '</div>';
      li.innerHTML = html;
      list.appendChild(li);
    });
  }

  function toggleBell(show) {
    var list = $id('bell-list');
    list.hidden = show === undefined ? !list.hidden : !show;
    if (!list.hidden) {
      state.unread = 0;
      renderBell();
    }
  }

  // ---------- pages ----------
  function renderRoute() {
    var page = $id('page');
    var p = location.pathname;
    var m = /^\/(contacts|companies|leads|customers)\/detail\/(\d+)/.exec(p);
    if (m) return renderCard(page, m[1], m[2]);
    if (/^\/contacts\/add/.test(p)) return renderNewContact(page);
    var l = /^\/(contacts|companies|leads|customers)\/list/.exec(p);
    if (l) return renderList(page, l[1]);
    return renderDashboard(page);
  }

  function renderCard(page, type, id) {
    page.innerHTML = '<div class="card" data-testid="card" data-type="' + type + '" data-id="' + esc(id) + '"><div class="muted">Loading&hellip;</div></div>';
    fetchJson('/sandbox/entity/' + type + '/' + id)
      .then(function (entity) {
        var phones = (entity.phones || [])
          .map(function (ph) {
            return '<li><span class="phone">' + esc(ph) + '</span> <button type="button" class="call-btn" data-phone="' + esc(ph) + '" title="Call this number (click-to-call)">Call</button></li>';
          })
          .join('');
        page.querySelector('.card').innerHTML =
          '<div class="card-kind">' + TYPE_NAMES[type] + ' #' + esc(entity.id) + '</div>' +
          '<h1 data-testid="card-name">' + esc(entity.name || TYPE_NAMES[type] + ' #' + entity.id) + '</h1>' +
          (phones ? '<h3>Phones</h3><ul class="phones">' + phones + '</ul>' : '');
      })
      .catch(function () {
        page.querySelector('.card').innerHTML = '<h1 data-testid="card-missing">No ' + TYPE_NAMES[type].toLowerCase() + ' #' + esc(id) + ' in the sandbox CRM</h1>';
      });
  }

  function renderNewContact(page) {
    var phone = new URLSearchParams(location.search).get('phone') || '';
    page.innerHTML =
      '<div class="card" data-testid="new-contact"><div class="card-kind">New contact</div><h1>Add contact</h1>' +
      '<label>Name <input placeholder="Name"></label><label>Phone <input data-testid="new-contact-phone" value="' + esc(phone) + '"></label></div>';
  }

  function renderList(page, type) {
    page.innerHTML = '<h1>' + TYPE_NAMES[type] + 's</h1><ul class="entity-list" data-testid="entity-list"></ul>';
    fetchJson('/sandbox/entity/' + type).then(function (list) {
      page.querySelector('ul').innerHTML = list
        .map(function (e) {
          return '<li><a class="js-navigate-link" href="/' + type + '/detail/' + e.id + '">' + esc(e.name || TYPE_NAMES[type] + ' #' + e.id) + '</a> <span class="muted">' + esc((e.phones || []).join(', ')) + '</span></li>';
        })
        .join('');
    });
  }

  function renderDashboard(page) {
    page.innerHTML =
      '<h1>Kommo telephony widget sandbox</h1>' +
      '<p>This page loads <code>/widget/script.js</code> the way Kommo does. The PBX on the right places calls through the relay; the widget looks the caller up in the simulated CRM.</p>' +
      '<ol class="steps">' +
      '<li>Press <b>Ring</b> in the PBX panel: a pop-up names the caller (try the numbers listed under it, or any unknown number).</li>' +
      '<li>Click the name in the pop-up: the card opens.</li>' +
      '<li><b>Answer</b>, then <b>Hang up</b>: the completed call lands under the bell with its duration and recording.</li>' +
      '<li>Switch the user (extension) or the language at the top; open <b>&#9881; Widget</b> for the settings.</li>' +
      '</ol>' +
      '<p class="muted">Signed in as <b>' + esc(state.user.name) + '</b>, extension <b>' + esc(state.user.extension) + '</b>. Widget: <span data-testid="widget-state">' + (isActive() ? 'on' : 'off') + '</span>.</p>';
  }

  // ---------- widget lifecycle ----------
  function callback(name, arg) {
    var w = state.widget;
    if (!w || !w.callbacks || typeof w.callbacks[name] !== 'function') return undefined;
    S.lifecycle.push(name);
    try {
      return w.callbacks[name].call(w, arg);
    } catch (err) {
      S.errors.push({ callback: name, message: String((err && err.stack) || err) });
      console.error('[sandbox] widget callback ' + name + ' threw', err);
      return undefined;
    }
  }

  function helpers() {
    var manifest = state.manifest || { widget: {} };
    var version = (manifest.widget && manifest.widget.version) || state.config.widget.version;
    return {
      get_settings: function () {
        var values = readSettings();
        var out = {};
        Object.keys(values).forEach(function (k) {
          out[k] = values[k];
        });
        out.widget_code = state.config.widget.code;
        out.active = isActive() ? 'Y' : 'N';
        out.path = state.config.widget.path;
        out.images_path = state.config.widget.path + '/images';
        out.version = version;
        return out;
      },
      set_settings: function (values) {
        var current = readSettings();
        Object.keys(values || {}).forEach(function (k) {
          current[k] = values[k];
        });
        writeSettings(current);
      },
      system: function () {
        return {
          area: areaOf(location.pathname),
          amouser_id: state.user.id,
          amouser: state.user.login,
          amohash: 'sandbox',
          subdomain: 'sandbox',
          domain: location.host,
          server: location.host,
          displayed_count: 0,
        };
      },
      i18n: function (section) {
        return state.langData[section];
      },
      get_version: function () {
        return version;
      },
      params: {
        path: state.config.widget.path,
        widget_code: state.config.widget.code,
        images_path: state.config.widget.path + '/images',
        version: version,
        status: 'installed',
      },
      add_action: function (type, fn) {
        S.actions[type] = (S.actions[type] || 0) + 1;
        state.actions = state.actions || {};
        state.actions[type] = fn;
      },
      crm_post: function (url, data, cb, type, errCb) {
        return state.$.ajax({ url: url, method: 'POST', data: data, dataType: type || 'json', success: cb, error: errCb });
      },
      $authorizedAjax: function (opts) {
        return state.$.ajax(opts);
      },
    };
  }

  /** Kommo creates the instance with its helpers already on `this`, then runs the constructor. */
  function instantiate() {
    var obj = Object.create(state.Widget.prototype);
    var h = helpers();
    Object.keys(h).forEach(function (k) {
      obj[k] = h[k];
    });
    var returned;
    try {
      returned = state.Widget.call(obj);
    } catch (err) {
      S.errors.push({ callback: 'constructor', message: String((err && err.stack) || err) });
      console.error('[sandbox] widget constructor threw', err);
      return null;
    }
    var w = returned && typeof returned === 'object' ? returned : obj;
    S.widget = w;
    return w;
  }

  /** render, then init + bind_actions once per page load when init_once (else every area). */
  function runArea() {
    if (!state.widget) return;
    var ok = callback('render');
    if (ok !== true) {
      S.lifecycle.push('render-false:stop');
      return;
    }
    var initOnce = !!(state.manifest && state.manifest.widget && state.manifest.widget.init_once);
    if (!state.initDone || !initOnce) {
      state.initDone = true;
      callback('init');
      callback('bind_actions');
    }
  }

  function startWidget() {
    if (!isActive()) {
      S.lifecycle.push('inactive');
      return;
    }
    state.widget = instantiate();
    state.initDone = false;
    runArea();
  }

  /** In-app navigation, as Kommo's single-page app does for `.js-navigate-link` anchors. */
  function navigate(url, push) {
    var target = new URL(url, location.href);
    if (push !== false) history.pushState({}, '', target.pathname + target.search);
    S.navigations.push({ url: target.pathname + target.search, inApp: true });
    // Kommo calls destroy on moves between areas, then render for the new one (init only once).
    if (state.widget && isActive()) callback('destroy');
    renderRoute();
    if (state.widget && isActive()) runArea();
    S.pageChanged += 1;
    if (state.$) state.$(document).trigger('page:changed');
  }
  S.navigate = navigate;

  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a') : null;
    if (!a || !a.href) return;
    var target = new URL(a.href, location.href);
    if (a.classList.contains('js-navigate-link') && target.origin === location.origin && !a.target) {
      e.preventDefault();
      toggleBell(false);
      navigate(target.href);
      return;
    }
    if (target.origin === location.origin && !a.target) S.navigations.push({ url: target.pathname + target.search, inApp: false });
  });
  // Click-to-call on a card's phone: Kommo calls the handler the widget gave add_action('phone', fn).
  document.addEventListener('click', function (e) {
    var btn = e.target && e.target.closest ? e.target.closest('.call-btn') : null;
    if (!btn) return;
    var phone = btn.getAttribute('data-phone');
    var handler = state.actions && state.actions.phone;
    S.clickToCall = (S.clickToCall || []).concat([{ value: phone, handled: typeof handler === 'function' }]);
    if (typeof handler !== 'function') return;
    try {
      handler({ value: phone });
    } catch (err) {
      S.errors.push({ callback: 'add_action:phone', message: String((err && err.stack) || err) });
    }
  });
  window.addEventListener('popstate', function () {
    navigate(location.href, false);
  });

  // ---------- settings modal ----------
  function fieldLabel(field, key) {
    var name = field.name || key;
    var parts = String(name).split('.');
    var v = state.langData;
    for (var i = 0; i < parts.length && v; i++) v = v[parts[i]];
    return typeof v === 'string' ? v : name;
  }

  function openSettings() {
    var fields = (state.manifest && state.manifest.settings) || FALLBACK_FIELDS;
    var values = readSettings();
    var body = $id('modal-body');
    body.innerHTML = '';
    $id('modal-refused').hidden = true;
    $id('modal-status').textContent = isActive() ? 'on' : 'off';
    Object.keys(fields).forEach(function (key) {
      var f = fields[key] || {};
      var row = document.createElement('div');
      row.className = 'widget_settings_block__item_field';
      row.setAttribute('data-field', key);
      var value = values[key];
      if (f.type === 'custom') {
        row.innerHTML = '<input type="hidden" name="' + esc(key) + '" value="' + esc(value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value)) + '">';
      } else if (f.type === 'users' || f.type === 'users_lp') {
        var map = value;
        if (typeof map === 'string') {
          try {
            map = JSON.parse(map);
          } catch (e) {
            map = {};
          }
        }
        map = map || {};
        var html = '<div class="widget_settings_block__title_field">' + esc(fieldLabel(f, key)) + (f.required ? ' *' : '') + '</div><div class="users-field">';
        state.config.users.forEach(function (u) {
          html += '<label>' + esc(u.name) + ' <input type="text" data-users-key="' + esc(key) + '" data-user-id="' + u.id + '" name="' + esc(key) + '[' + u.id + ']" value="' + esc(map[u.id] || '') + '"></label>';
        });
        row.innerHTML = html + '</div>';
      } else {
        var type = f.type === 'pass' ? 'password' : 'text';
        row.innerHTML =
          '<label><span class="widget_settings_block__title_field">' + esc(fieldLabel(f, key)) + (f.required ? ' *' : '') + '</span>' +
          '<input class="widget_settings_block__controls__ text-input" type="' + type + '" name="' + esc(key) + '" data-testid="setting-' + esc(key) + '" value="' + esc(value == null ? '' : value) + '"></label>';
      }
      body.appendChild(row);
    });
    $id('modal-backdrop').hidden = false;
    if (state.widget && state.$) callback('settings', state.$(body));
  }
  S.openSettings = openSettings;

  function collectFields() {
    var fields = {};
    var body = $id('modal-body');
    body.querySelectorAll('input[name]').forEach(function (input) {
      var usersKey = input.getAttribute('data-users-key');
      if (usersKey) {
        fields[usersKey] = fields[usersKey] || {};
        fields[usersKey][input.getAttribute('data-user-id')] = input.value;
      } else if (!/\[/.test(input.name)) {
        fields[input.name] = input.value;
      }
    });
    return fields;
  }

  function refused(reason) {
    var box = $id('modal-refused');
    var msg = reason && reason.message ? reason.message : typeof reason === 'string' ? reason : '';
    box.textContent = 'The widget refused these settings.' + (msg ? ' ' + msg : '');
    box.hidden = false;
    S.lifecycle.push('onSave:refused');
  }

  function closeModal() {
    $id('modal-backdrop').hidden = true;
    $id('modal-body').innerHTML = '';
  }

  function save() {
    var fields = collectFields();
    var wasActive = isActive();
    if (!state.widget) state.widget = instantiate();
    var result = callback('onSave', { active: 'Y', fields: fields });
    S.lifecycle.push('onSave:Y');
    Promise.resolve(result).then(
      function (ok) {
        if (ok === false) return refused();
        var current = readSettings();
        Object.keys(fields).forEach(function (k) {
          current[k] = fields[k];
        });
        writeSettings(current);
        localStorage.setItem(KEYS.active, 'Y');
        S.lifecycle.push('onSave:accepted');
        closeModal();
        if (!wasActive) {
          // Switched on: the instance that accepted the settings starts (render, init, bind_actions).
          state.initDone = false;
          runArea();
        }
      },
      function (err) {
        refused(err);
      },
    );
  }

  function switchOff() {
    var fields = collectFields();
    callback('onSave', { active: 'N', fields: fields });
    S.lifecycle.push('onSave:N');
    callback('destroy');
    localStorage.setItem(KEYS.active, 'N');
    state.widget = null;
    S.widget = null;
    closeModal();
    renderRoute();
  }

  // ---------- PBX panel and fault controls ----------
  function pbx(action) {
    return fetch('/sandbox/pbx', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action) }).then(function (r) {
      return r.text().then(function (t) {
        if (!r.ok) throw new Error(t.trim() || 'PBX answered ' + r.status);
        return JSON.parse(t);
      });
    });
  }

  function pbxStatus(text) {
    $id('pbx-status').textContent = text;
  }

  function refreshCalls() {
    return fetchJson('/sandbox/pbx').then(function (data) {
      var list = $id('pbx-calls');
      list.innerHTML = '';
      data.calls
        .slice()
        .reverse()
        .slice(0, 8)
        .forEach(function (c) {
          var li = document.createElement('li');
          li.className = 'pbx-call state-' + c.state;
          li.setAttribute('data-testid', 'pbx-call');
          li.setAttribute('data-call-id', c.callId);
          li.innerHTML =
            '<span class="dir">' + (c.direction === 'inbound' ? '&#8601;' : '&#8599;') + '</span> ' + esc(c.phone) + ' &harr; ' + esc(c.extension) +
            ' <span class="badge">' + esc(c.state) + (c.state === 'ended' ? ' ' + formatDuration(c.duration) : '') + '</span> ';
          if (c.state === 'ringing') li.innerHTML += '<button type="button" data-act="answer" data-testid="pbx-answer">Answer</button> ';
          if (c.state !== 'ended') li.innerHTML += '<button type="button" data-act="hangup" data-testid="pbx-hangup">Hang up</button>';
          list.appendChild(li);
        });
    });
  }

  function initPanel() {
    $id('pbx-ext').value = state.user.extension;
    fetchJson('/sandbox/entity/contacts')
      .then(function (contacts) {
        return fetchJson('/sandbox/entity/companies').then(function (companies) {
          var items = contacts.concat(companies).filter(function (e) {
            return e.phones && e.phones.length;
          });
          $id('pbx-numbers').innerHTML =
            'Try: ' +
            items
              .slice(0, 6)
              .map(function (e) {
                return '<a href="#" class="pick" data-phone="' + esc(e.phones[0]) + '">' + esc(e.name) + '</a>';
              })
              .join(', ') +
            ', <a href="#" class="pick" data-phone="+44 20 7946 0958">an unknown number</a>.';
        });
      })
      .catch(function () {});
    $id('pbx-numbers').addEventListener('click', function (e) {
      var a = e.target.closest('a.pick');
      if (!a) return;
      e.preventDefault();
      $id('pbx-number').value = a.getAttribute('data-phone');
    });
    $id('pbx-form').addEventListener('submit', function (e) {
      e.preventDefault();
      pbx({ action: 'ring', direction: $id('pbx-direction').value, phone: $id('pbx-number').value, extension: $id('pbx-ext').value })
        .then(function (r) {
          pbxStatus('Ringing: ' + r.call.callId);
          return refreshCalls();
        })
        .catch(function (err) {
          pbxStatus(String(err.message));
        });
    });
    $id('pbx-calls').addEventListener('click', function (e) {
      var btn = e.target.closest('button[data-act]');
      if (!btn) return;
      var id = btn.closest('li').getAttribute('data-call-id');
      var act = btn.getAttribute('data-act');
      var action = act === 'hangup' ? { action: 'hangup', callId: id, recording: $id('pbx-recording').checked } : { action: 'answer', callId: id };
      pbx(action)
        .then(function (r) {
          pbxStatus(act + ': ' + r.call.callId);
          return refreshCalls();
        })
        .catch(function (err) {
          pbxStatus(String(err.message));
        });
    });
    $id('fault-apply').addEventListener('click', function () {
      var status = $id('fault-status').value;
      var faults = { delayMs: Number($id('fault-delay').value) || 0 };
      if (status === 'hang') faults.hang = true;
      else if (status) faults.status = Number(status);
      fetch('/sandbox/crm/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) }).then(function (r) {
        $id('fault-status-line').textContent = r.ok ? 'CRM faults: ' + JSON.stringify(faults) : 'failed: ' + r.status;
      });
    });
    $id('relay-restart').addEventListener('click', function () {
      fetch('/sandbox/relay/restart', { method: 'POST' }).then(function (r) {
        $id('fault-status-line').textContent = r.ok ? 'Relay restarted: every connection was closed.' : 'failed: ' + r.status;
      });
    });
    refreshCalls().catch(function () {});
    // Calls placed from the CLI show up here too.
    setInterval(function () {
      if (!document.hidden) refreshCalls().catch(function () {});
    }, 2000);
  }

  // ---------- top bar ----------
  function initTopbar() {
    var userSel = $id('user-switch');
    state.config.users.forEach(function (u) {
      var o = document.createElement('option');
      o.value = String(u.id);
      o.textContent = u.name + ' (ext. ' + u.extension + ')';
      userSel.appendChild(o);
    });
    userSel.value = String(state.user.id);
    userSel.addEventListener('change', function () {
      // Another Kommo user is another session: Kommo loads the page afresh.
      localStorage.setItem(KEYS.user, userSel.value);
      location.reload();
    });
    var langSel = $id('lang-switch');
    state.config.locales.forEach(function (l) {
      var o = document.createElement('option');
      o.value = l;
      o.textContent = l;
      langSel.appendChild(o);
    });
    langSel.value = state.lang;
    langSel.addEventListener('change', function () {
      // Kommo reloads the page when the user's language changes; the widget reads its new i18n on init.
      localStorage.setItem(KEYS.lang, langSel.value);
      location.reload();
    });
    $id('bell').addEventListener('click', function () {
      toggleBell();
    });
    $id('settings-open').addEventListener('click', openSettings);
    $id('modal-save').addEventListener('click', save);
    $id('modal-off').addEventListener('click', switchOff);
    $id('modal-cancel').addEventListener('click', closeModal);
  }

  function pickUser() {
    var wanted = params.get('user') || localStorage.getItem(KEYS.user);
    var users = state.config.users;
    var u = users.filter(function (x) {
      return String(x.id) === String(wanted) || x.extension === wanted;
    })[0];
    return u || users[0];
  }

  // ---------- boot ----------
  fetchJson('/sandbox/config')
    .then(function (config) {
      state.config = config;
      if (params.get('lang')) state.lang = params.get('lang');
      if (config.locales.indexOf(state.lang) < 0) state.lang = 'en';
      window.APP.lang_id = state.lang;
      document.documentElement.lang = state.lang;
      state.user = pickUser();
      var base = config.widget.path;
      return Promise.all([
        fetchJson(base + '/manifest.json').catch(function () {
          return null;
        }),
        fetchJson(base + '/i18n/' + state.lang + '.json').catch(function () {
          return {};
        }),
      ]);
    })
    .then(function (loaded) {
      state.manifest = loaded[0];
      state.langData = loaded[1];
      initTopbar();
      renderRoute();
      initPanel();
      requirejs.config({
        paths: { jquery: '/vendor/jquery', underscore: '/vendor/underscore' },
        urlArgs: 'v=' + Date.now(),
        waitSeconds: 20,
      });
      requirejs.onError = function (err) {
        S.errors.push({ callback: 'require', message: String(err) });
        S.loadError = String(err);
      };
      require(['jquery', 'underscore'], function ($, _) {
        state.$ = window.$ = window.jQuery = $;
        state._ = window._ = _;
        require([state.config.widget.path + '/script.js'], function (Widget) {
          if (typeof Widget !== 'function') {
            S.errors.push({ callback: 'define', message: 'script.js did not return a constructor' });
            S.ready = true;
            return;
          }
          state.Widget = Widget;
          startWidget();
          S.ready = true;
        });
      });
    })
    .catch(function (err) {
      S.errors.push({ callback: 'boot', message: String(err) });
      S.ready = true;
    });
})();
