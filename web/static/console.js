// The console's behaviour beyond htmx: live word of new tickets, the
// ticket page's presence, canned replies, keyboard shortcuts. No inline
// handlers anywhere: everything is bound here, so the page's
// Content-Security-Policy allows no script but this file and htmx.
(function () {
  'use strict';
  var body = document.body;

  // Focus what a page asks to be read first (a saved ticket's number, an error).
  var first = document.querySelector('[data-focus]');
  if (first) { first.focus(); }

  // Selects that submit their form when changed (the time zone).
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (s) {
    s.addEventListener('change', function () { s.form.requestSubmit(); });
  });

  // New tickets in my queues: one event stream per tab.
  if (body.dataset.live && window.EventSource) {
    var live = document.getElementById('baru');
    var es = new EventSource('/console/peristiwa');
    es.addEventListener('tiket', function (ev) {
      var t;
      try { t = JSON.parse(ev.data); } catch (e) { return; }
      if (live) {
        var p = document.createElement('p');
        p.textContent = 'Tiket baru ' + t.number + ' masuk antrean ' + t.queue + '.';
        live.replaceChildren(p);
      }
      htmx.trigger(body, 'tiket-baru');
    });
    window.addEventListener('pagehide', function () { es.close(); });
  }

  // Leaving a ticket page tells the others at once.
  var viewers = document.getElementById('pembaca');
  if (viewers && viewers.dataset.ticket) {
    window.addEventListener('pagehide', function () {
      fetch('/console/tiket/' + encodeURIComponent(viewers.dataset.ticket) + '/tutup',
        { method: 'POST', keepalive: true, credentials: 'same-origin' }).catch(function () {});
    });
  }

  // Canned replies: "/" in the reply box opens the list; Enter picks.
  document.querySelectorAll('textarea[data-canned]').forEach(function (box) {
    var list = document.getElementById(box.dataset.canned);
    if (!list) { return; }
    var wrap = list.parentElement;
    var all = Array.prototype.slice.call(list.options).map(function (o) { return o.cloneNode(true); });
    function slashWord() {
      var upto = box.value.slice(0, box.selectionStart);
      var m = /(^|\s)\/([\w-]*)$/.exec(upto);
      return m ? { at: upto.length - m[2].length - 1, word: m[2] } : null;
    }
    function close() { wrap.hidden = true; }
    function pick() {
      var o = list.options[list.selectedIndex];
      var s = slashWord();
      if (!o) { close(); box.focus(); return; }
      var at = s ? s.at : box.selectionStart;
      var end = box.selectionStart;
      box.value = box.value.slice(0, at) + o.dataset.body + box.value.slice(end);
      close();
      box.focus();
      box.selectionStart = box.selectionEnd = at + o.dataset.body.length;
    }
    box.addEventListener('input', function () {
      var s = slashWord();
      if (!s) { close(); return; }
      var w = s.word.toLowerCase();
      list.replaceChildren.apply(list, all.filter(function (o) {
        return o.textContent.toLowerCase().indexOf(w) >= 0;
      }).map(function (o) { return o.cloneNode(true); }));
      wrap.hidden = list.options.length === 0;
      if (list.options.length) { list.selectedIndex = 0; }
    });
    box.addEventListener('keydown', function (e) {
      if (wrap.hidden) { return; }
      if (e.key === 'ArrowDown') { e.preventDefault(); list.focus(); }
      else if (e.key === 'Enter') { e.preventDefault(); pick(); }
      else if (e.key === 'Escape') { e.preventDefault(); close(); }
    });
    list.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { e.preventDefault(); pick(); }
      else if (e.key === 'Escape') { e.preventDefault(); close(); box.focus(); }
    });
    list.addEventListener('dblclick', pick);
  });

  // Keyboard shortcuts, listed by "?", and a switch that turns them off.
  var dialog = document.getElementById('pintasan');
  var off = document.getElementById('pintasan-mati');
  var KEY = 'aduan.pintasan.mati';
  function disabled() { try { return localStorage.getItem(KEY) === '1'; } catch (e) { return false; } }
  if (off) {
    off.checked = disabled();
    off.addEventListener('change', function () {
      try { localStorage.setItem(KEY, off.checked ? '1' : '0'); } catch (e) { /* private mode */ }
    });
  }
  if (dialog) {
    // Closed, the list must not keep the focus (keys would go nowhere).
    dialog.addEventListener('close', function () {
      if (dialog.contains(document.activeElement)) { document.activeElement.blur(); }
    });
  }
  function typing(el) {
    if (!el) { return false; }
    if (el.tagName === 'INPUT') { return !/^(checkbox|radio|button|submit|reset)$/.test(el.type); }
    return el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName);
  }
  var pendingG = false;
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === '?' && dialog) {
      e.preventDefault();
      if (dialog.open) { dialog.close(); } else { dialog.showModal(); }
      return;
    }
    if (disabled() || (dialog && dialog.open)) { return; }
    if (pendingG) {
      pendingG = false;
      if (e.key === 'a') { location.href = '/console/antrean'; }
      else if (e.key === 'p') { location.href = '/console/panggilan'; }
      return;
    }
    if (e.key === 'g') { pendingG = true; return; }
    if (e.key === 'j' || e.key === 'k') {
      var rows = Array.prototype.slice.call(document.querySelectorAll('a[data-row]'));
      if (!rows.length) { return; }
      var i = rows.indexOf(document.activeElement);
      i = e.key === 'j' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i - 1);
      rows[i].focus();
      e.preventDefault();
      return;
    }
    var target = document.querySelector('[data-key="' + e.key + '"]');
    if (!target) { return; }
    e.preventDefault();
    if (target.tagName === 'BUTTON') { target.click(); } else { target.focus(); }
  });
})();
