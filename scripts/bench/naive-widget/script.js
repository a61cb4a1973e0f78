/*
 * The naive reference widget of the side-by-side benchmark (scripts/bench/naive.ts), in the style
 * of Kommo's own caller-ID snippet: one WebSocket per tab opened in init, a by_phone lookup for
 * every ringing call, no limiter, no cache, no tabs, no retries; the answer's first name goes into
 * APP.notifications.show_notification. Plain ES5 AMD, as a vendor would write script.js by hand.
 * It speaks just enough of the relay's protocol (docs/call-feed-protocol.md) to be measured.
 */
define(['jquery'], function () {
  return function NaiveWidget() {
    var self = this;
    var socket = null;
    var popUp = function (phone, name) {
      window.APP.notifications.show_notification({ text: { header: phone, text: name || 'Unknown caller' }, type: 'call', date: Math.floor(Date.now() / 1000) });
    };
    var lookUp = function (phone) {
      var q = encodeURIComponent(phone);
      fetch('/api/v2/search/by_phone?phone=' + q + '&query=' + q, { credentials: 'same-origin' })
        .then(function (res) { return res.status === 200 ? res.json() : null; })
        .then(function (body) {
          var item = body && body._embedded && body._embedded.items && body._embedded.items[0];
          popUp(phone, item ? item.name : null);
        })
        .catch(function () { popUp(phone, null); });
    };
    this.callbacks = {
      render: function () { return true; },
      init: function () {
        var settings = self.get_settings() || {};
        var phones = typeof settings.phones === 'string' ? JSON.parse(settings.phones) : settings.phones || {};
        var user = window.APP.constant('user') || {};
        var extension = phones[String(user.id)];
        var connect = function () {
          socket = new WebSocket(settings.ws_url);
          socket.onopen = function () {
            socket.send(JSON.stringify({ type: 'subscribe', token: settings.token, extensions: [extension] }));
          };
          socket.onmessage = function (event) {
            var frame = JSON.parse(event.data);
            if (frame.type === 'ping') socket.send('{"type":"pong"}');
            if (frame.type === 'call' && frame.call && frame.call.state === 'ringing' && frame.call.direction !== 'outbound') lookUp(frame.call.phone);
          };
          socket.onclose = function () { setTimeout(connect, 1000); };
        };
        connect();
        return true;
      },
      bind_actions: function () { return true; },
      settings: function () { return true; },
      onSave: function () { return true; },
      destroy: function () {},
    };
    return this;
  };
});
