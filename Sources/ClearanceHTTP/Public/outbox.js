// The tablet's outbox, on every page. Consents captured on /capture wait here until the server
// has them: in IndexedDB, each one encrypted (AES-GCM) under a non-extractable WebCrypto key of
// the officer who captured it, so another officer signing in on the same tablet neither sees
// nor sends them. The queue sends itself every 10 seconds while a page is open, at once when the
// browser comes back online or a page gets the focus, and keeps every consent the server has not
// confirmed. It also keeps consent references reserved for this officer while online, so a
// consent captured offline shows its final reference at once.
//
// The page tells it who is signed in through the #outbox element's data attributes; capture.js
// uses window.ClearanceOutbox. Nothing here writes HTML from text: only textContent.
'use strict';
(function () {
  var DATABASE = 'clearance-outbox';
  var SYNC_EVERY = 10000;
  // References this tablet keeps in reserve for one officer, and when to ask for more.
  var HOLD = 20, LOW = 10, SOON = 3 * 86400000;
  var PAGE_CACHE = 'clearance-capture-v1';

  var box = null, officer = '', csrf = '', canCapture = false;
  var opened = null, busy = false, lastTopUp = 0;
  var status = {signedOut: false, unreachable: false};
  var listeners = [];

  var available = !!(window.indexedDB && window.crypto && window.crypto.subtle && window.isSecureContext &&
                     window.TextEncoder && window.crypto.randomUUID);

  // MARK: IndexedDB

  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DATABASE, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore('keys', {keyPath: 'officer'});
          db.createObjectStore('captures', {keyPath: 'id'}).createIndex('officer', 'officer');
          db.createObjectStore('references', {keyPath: 'reference'}).createIndex('officer', 'officer');
          db.createObjectStore('device', {keyPath: 'name'});
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Runs body(transaction) and resolves with its value once the transaction has committed.
  function transaction(stores, mode, body) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), value;
        t.oncomplete = function () { resolve(value); };
        t.onabort = function () { reject(t.error || new Error('the outbox could not be written')); };
        Promise.resolve().then(function () { return body(t); }).then(function (result) { value = result; }, function (error) {
          try { t.abort(); } catch (ignored) { /* already finished */ }
          reject(error);
        });
      });
    });
  }

  function all(store, officerName) {
    return transaction([store], 'readonly', function (t) {
      var source = t.objectStore(store);
      return done(officerName === undefined ? source.getAll() : source.index('officer').getAll(officerName));
    });
  }

  // MARK: Keys and sealing

  // The officer's key: made once on this tablet, never extractable, kept in IndexedDB.
  function keyOf(name) {
    return transaction(['keys'], 'readonly', function (t) { return done(t.objectStore('keys').get(name)); }).then(function (row) {
      if (row) return row.key;
      return crypto.subtle.generateKey({name: 'AES-GCM', length: 256}, false, ['encrypt', 'decrypt']).then(function (key) {
        // add, not put: a key another tab made first is kept, and used.
        return transaction(['keys'], 'readwrite', function (t) { return done(t.objectStore('keys').add({officer: name, key: key})); })
          .then(function () { return key; }, function () { return keyOf(name); });
      });
    });
  }

  // The capture's id and officer are bound to its ciphertext: it opens for no other record.
  function boundTo(item) { return new TextEncoder().encode('clearance-outbox\n' + item.officer + '\n' + item.id); }

  function seal(item, payload) {
    return keyOf(item.officer).then(function (key) {
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(payload));
      return crypto.subtle.encrypt({name: 'AES-GCM', iv: iv, additionalData: boundTo(item)}, key, plain).then(function (sealed) {
        item.iv = iv;
        item.sealed = sealed;
        return item;
      });
    });
  }

  function unseal(item) {
    return keyOf(item.officer).then(function (key) {
      return crypto.subtle.decrypt({name: 'AES-GCM', iv: item.iv, additionalData: boundTo(item)}, key, item.sealed);
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // MARK: This tablet and its references

  function deviceID() {
    return transaction(['device'], 'readwrite', function (t) {
      var store = t.objectStore('device');
      return done(store.get('device')).then(function (row) {
        if (row) return row.id;
        var id = crypto.randomUUID();
        return done(store.add({name: 'device', id: id})).then(function () { return id; });
      });
    });
  }

  function freeReferences(name, now) {
    return all('references', name).then(function (rows) {
      return rows.filter(function (r) { return !r.usedBy && r.expiresAt > now + 60000; })
        .sort(function (a, b) { return a.expiresAt - b.expiresAt; });
    });
  }

  // Marks the soonest-expiring free reference as used by the capture `id`, in one transaction.
  function takeReference(id) {
    var now = Date.now();
    return transaction(['references'], 'readwrite', function (t) {
      var store = t.objectStore('references');
      return done(store.index('officer').getAll(officer)).then(function (rows) {
        var free = rows.filter(function (r) { return !r.usedBy && r.expiresAt > now + 60000; })
          .sort(function (a, b) { return a.expiresAt - b.expiresAt; });
        if (!free.length) return null;
        free[0].usedBy = id;
        free[0].takenAt = now;
        return done(store.put(free[0])).then(function () { return free[0]; });
      });
    });
  }

  // Asks the server to top up this tablet's reserve: it answers every unused reference it holds
  // for this officer and tablet, the ones already used by waiting captures included.
  function topUp(force) {
    var now = Date.now();
    if (!canCapture || (!force && now - lastTopUp < 60000)) return Promise.resolve();
    return Promise.all([freeReferences(officer, now), all('captures', officer)]).then(function (found) {
      var free = found[0], waiting = found[1].length;
      if (!force && free.length >= LOW && free[0].expiresAt - now > SOON) return;
      return deviceID().then(function (device) {
        return call('/api/v1/captures/references', {device: device, count: Math.min(50, HOLD + waiting)});
      }).then(function (response) {
        if (response.status !== 200) return response.status === 401 ? signedOut() : undefined;
        lastTopUp = Date.now();
        return response.json().then(merge);
      });
    });
  }

  function merge(answer) {
    if (answer.officer !== officer) return;
    var held = {};
    answer.references.forEach(function (r) { held[r.reference] = Date.parse(r.expiresAt); });
    return transaction(['references', 'captures'], 'readwrite', function (t) {
      var store = t.objectStore('references'), captures = t.objectStore('captures');
      return Promise.all([done(store.index('officer').getAll(officer)), done(captures.getAllKeys())]).then(function (found) {
        var mine = {}, queued = {}, work = [];
        found[1].forEach(function (id) { queued[id] = true; });
        found[0].forEach(function (r) { mine[r.reference] = r; });
        Object.keys(held).forEach(function (reference) {
          var local = mine[reference];
          if (!local) {
            work.push(done(store.put({reference: reference, officer: officer, expiresAt: held[reference], usedBy: null})));
          } else if (local.usedBy && !local.discarded && !queued[local.usedBy] && Date.now() - (local.takenAt || 0) > 600000) {
            // Taken by a capture that was never saved (the page closed mid-way): free again.
            local.usedBy = null;
            work.push(done(store.put(local)));
          }
        });
        found[0].forEach(function (r) {
          // Free ones the server no longer holds (expired) go; used ones stay with their capture.
          if (!(r.reference in held) && (!r.usedBy || (r.discarded && r.expiresAt < Date.now()))) work.push(done(store.delete(r.reference)));
        });
        return Promise.all(work);
      });
    });
  }

  // MARK: The server

  // A request the network swallows (signal lost mid-way) is given up after 30 seconds, like a
  // connection that failed: the capture stays, and the next sync sends it again.
  function call(path, body) {
    var abort = new AbortController(), timer = setTimeout(function () { abort.abort(); }, 30000);
    return fetch(path, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store', signal: abort.signal,
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
      body: JSON.stringify(body)
    }).finally(function () { clearTimeout(timer); });
  }

  // A page loaded from the tablet (offline) may carry a CSRF token of a session since replaced:
  // the home page, fetched now, has the current one, and says who it belongs to.
  function refreshToken() {
    return fetch('/', {credentials: 'same-origin', cache: 'no-store'}).then(function (response) {
      if (!response.ok || response.redirected) return false;
      return response.text().then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('outbox');
        if (!fresh || fresh.getAttribute('data-officer') !== officer) return false;
        csrf = fresh.getAttribute('data-csrf') || '';
        return csrf !== '';
      });
    });
  }

  function signedOut() {
    status.signedOut = true;
    render();
  }

  // Sends one capture; resolves with 'sent', 'refused', 'later' (try again) or 'stop'.
  function send(item, retried) {
    return unseal(item).then(function (capture) {
      var body = {};
      Object.keys(capture).forEach(function (k) { if (k !== 'withdrawalSecret' && k !== 'linkBase') body[k] = capture[k]; });
      return sha256Hex(capture.withdrawalSecret).then(function (hash) {
        body.withdrawalSecretSHA256 = hash;
        return call('/api/v1/captures', body);
      }).then(function (response) {
        status.unreachable = false;
        if (response.status === 200 || response.status === 201) {
          // Signed in again (in another tab, say): this page's "sign in again" no longer holds.
          status.signedOut = false;
          return response.json().then(function (answer) {
            if (answer.reference !== capture.reference) return refuse(item, 'The server answered another reference (' + answer.reference + ').', 'form');
            return forget(item, capture.reference).then(function () {
              window.dispatchEvent(new CustomEvent('clearance-outbox-sent', {detail: {id: item.id, reference: capture.reference}}));
              return 'sent';
            });
          });
        }
        if (response.status === 401) { signedOut(); return 'stop'; }
        return response.json().catch(function () { return {}; }).then(function (answer) {
          var reason = answer.error || ('The server answered ' + response.status + '.');
          if (response.status === 403 && /CSRF/i.test(reason) && !retried) {
            return refreshToken().then(function (fresh) { return fresh ? send(item, true) : (signedOut(), 'stop'); });
          }
          if ([400, 403, 409, 413, 415, 422].indexOf(response.status) >= 0) return refuse(item, reason, answer.field || 'form');
          return 'later';
        });
      });
    }, function () {
      // Sealed under a key this tablet no longer has: it cannot be sent, only shown and discarded.
      return refuse(item, 'This consent cannot be opened on this tablet any more.', 'form');
    });
  }

  function refuse(item, reason, field) {
    item.state = 'refused';
    item.reason = reason;
    item.field = field;
    return transaction(['captures'], 'readwrite', function (t) { return done(t.objectStore('captures').put(item)); })
      .then(function () { return 'refused'; });
  }

  function forget(item, reference) {
    return transaction(['captures', 'references'], 'readwrite', function (t) {
      return Promise.all([done(t.objectStore('captures').delete(item.id)), done(t.objectStore('references').delete(reference))]);
    });
  }

  function sendAll() {
    return all('captures', officer).then(function (items) {
      var waiting = items.filter(function (i) { return i.state === 'waiting'; })
        .sort(function (a, b) { return a.savedAt - b.savedAt; });
      var next = function (index) {
        if (index >= waiting.length) return Promise.resolve();
        return send(waiting[index]).then(function (outcome) {
          render();
          return outcome === 'stop' || outcome === 'later' ? undefined : next(index + 1);
        });
      };
      return next(0);
    });
  }

  // One sync at a time on this tablet, across its tabs when the browser has Web Locks.
  function sync() {
    if (!available || !officer || !canCapture || busy) return Promise.resolve();
    busy = true;
    var run = function () {
      return topUp(false).then(sendAll).catch(function () {
        // fetch rejects when the server cannot be reached: everything stays, and is sent later.
        status.unreachable = true;
      });
    };
    var locked = navigator.locks ? navigator.locks.request('clearance-outbox-sync', {ifAvailable: true}, function (lock) {
      return lock ? run() : undefined;
    }) : run();
    return Promise.resolve(locked).then(function () { busy = false; render(); }, function () { busy = false; render(); });
  }

  // MARK: What capture.js calls

  function sha256Hex(text) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    });
  }

  // 32 random bytes as base64url: the secret of the person's withdrawal link, made here.
  function newSecret() {
    var bytes = crypto.getRandomValues(new Uint8Array(32)), text = '';
    bytes.forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  // Saves a new capture: takes a reserved reference (asking the server for some first when it
  // can), makes the withdrawal secret, seals and queues it. Resolves with the capture as sealed.
  // `fields` are the form's, with `capturedAt` (the tablet's clock) and what only the tablet
  // keeps (`linkBase`, for the receipt shown again).
  function save(fields) {
    var id = crypto.randomUUID();
    var taken = takeReference(id).then(function (found) {
      return found || topUp(true).catch(function () { /* offline */ }).then(function () { return takeReference(id); });
    });
    return taken.then(function (found) {
      if (!found) {
        throw new Error('This tablet has no consent references left for offline capture. Connect to the network once ' +
                        '(signed in) so that it can reserve more, then save again.');
      }
      var capture = Object.assign({}, fields, {id: id, reference: found.reference, officer: officer,
                                               capturedAt: fields.capturedAt || Date.now(), withdrawalSecret: newSecret()});
      return store({id: id, officer: officer, state: 'waiting', savedAt: capture.capturedAt}, capture).catch(function (error) {
        return release(found.reference).then(function () { throw error; });
      });
    });
  }

  // Replaces a refused capture with the officer's correction: same id, reference, secret and time.
  function correct(id, fields) {
    return byID(id).then(function (found) {
      var capture = Object.assign({}, found.capture, fields, {id: found.capture.id, reference: found.capture.reference,
                                                             officer: found.capture.officer, capturedAt: found.capture.capturedAt,
                                                             withdrawalSecret: found.capture.withdrawalSecret});
      return store({id: id, officer: officer, state: 'waiting', savedAt: found.item.savedAt}, capture);
    });
  }

  function store(item, capture) {
    return seal(item, capture).then(function (sealed) {
      return transaction(['captures'], 'readwrite', function (t) { return done(t.objectStore('captures').put(sealed)); });
    }).then(function () {
      render();
      setTimeout(sync, 0);
      return capture;
    });
  }

  function release(reference) {
    return transaction(['references'], 'readwrite', function (t) {
      var references = t.objectStore('references');
      return done(references.get(reference)).then(function (row) {
        if (row) { row.usedBy = null; return done(references.put(row)); }
      });
    });
  }

  function byID(id) {
    return transaction(['captures'], 'readonly', function (t) { return done(t.objectStore('captures').get(id)); }).then(function (item) {
      if (!item || item.officer !== officer) throw new Error('No such consent in this outbox.');
      return unseal(item).then(function (capture) { return {item: item, capture: capture}; });
    });
  }

  // The signed-in officer's waiting and refused captures, opened, oldest first.
  function list() {
    return all('captures', officer).then(function (items) {
      items.sort(function (a, b) { return a.savedAt - b.savedAt; });
      return Promise.all(items.map(function (item) {
        return unseal(item).then(function (capture) { return {item: item, capture: capture}; },
                                 function () { return {item: item, capture: null}; });
      }));
    });
  }

  // Discarding is the officer's decision, never a side effect: the reference stays burnt (the
  // person holds a receipt with it), so no one else is ever given it.
  function discard(id) {
    return byID(id).catch(function () { return null; }).then(function (found) {
      return transaction(['captures', 'references'], 'readwrite', function (t) {
        var references = t.objectStore('references'), work = [done(t.objectStore('captures').delete(id))];
        if (found) {
          work.push(done(references.get(found.capture.reference)).then(function (row) {
            if (row) { row.discarded = true; return done(references.put(row)); }
          }));
        }
        return Promise.all(work);
      });
    }).then(function () { render(); });
  }

  // MARK: What every page shows

  // Pages for no one (sign-in, a member of the public's withdrawal or self-service page) only
  // look at an outbox that already exists: they never make one on someone's phone.
  function exists() {
    if (officer) return Promise.resolve(true);
    if (!indexedDB.databases) return Promise.resolve(false);
    return indexedDB.databases().then(function (list) {
      return list.some(function (entry) { return entry.name === DATABASE; });
    }, function () { return false; });
  }

  function count() {
    var none = {mine: 0, refused: 0, everyone: 0, references: 0};
    if (!available) return Promise.resolve(none);
    return exists().then(function (found) { return found ? counted() : none; });
  }

  function counted() {
    return Promise.all([all('captures'), officer ? freeReferences(officer, Date.now()) : []]).then(function (found) {
      var items = found[0], mine = items.filter(function (i) { return i.officer === officer; });
      return {mine: mine.length, refused: mine.filter(function (i) { return i.state === 'refused'; }).length,
              everyone: items.length, references: found[1].length};
    });
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function render() {
    if (!box) return Promise.resolve();
    return count().then(function (n) {
      var waiting = officer ? n.mine : n.everyone, text;
      box.setAttribute('data-waiting', String(waiting));
      box.setAttribute('data-refused', String(n.refused));
      // References in reserve for capturing offline: capture.js refuses to save without one.
      box.setAttribute('data-references', String(n.references));
      box.setAttribute('data-state', status.signedOut ? 'signed-out' : status.unreachable ? 'unreachable' : waiting ? 'waiting' : 'sent');
      if (!officer) {
        text = waiting ? plural(waiting, 'consent waits', 'consents wait') + ' on this tablet. They are sent when the officer who captured them signs in.' : '';
      } else if (status.signedOut) {
        text = 'Your session has ended. Sign in again to send ' + plural(waiting, 'waiting consent', 'waiting consents') + '; they stay on this tablet.';
      } else if (!waiting) {
        text = canCapture ? 'Outbox: everything is sent.' : '';
      } else {
        text = 'Outbox: ' + plural(waiting, 'consent', 'consents') + ' not recorded yet' +
          (n.refused ? ' (' + n.refused + ' refused by the server: correct or discard ' + (n.refused === 1 ? 'it' : 'them') +
           ' on the capture page)' : ', waiting to be sent') +
          (status.unreachable ? '. The server cannot be reached; retrying.' : '.');
      }
      if (officer && canCapture && n.references < 5) {
        text += (text ? ' ' : '') + (n.references ? 'Only ' + plural(n.references, 'reference is', 'references are') : 'No references are') +
          ' left on this tablet for capturing offline; they are topped up whenever the server answers.';
      }
      box.querySelector('.outbox-text').textContent = text;
      var signIn = box.querySelector('.outbox-signin');
      if (signIn) signIn.hidden = !status.signedOut;
      box.hidden = text === '';
      listeners.forEach(function (listener) { listener(); });
    });
  }

  // Signing out with consents waiting asks first, on the page; they stay on the tablet either way.
  function guardSignOut() {
    document.querySelectorAll('form[action="/logout"]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        var waiting = parseInt(box.getAttribute('data-waiting'), 10) || 0;
        if (!officer || waiting === 0 || form.getAttribute('data-confirmed') === 'yes') return;
        event.preventDefault();
        var warning = document.getElementById('signout-warning');
        warning.querySelector('.signout-count').textContent = plural(waiting, 'consent has', 'consents have') + ' not reached the server yet.';
        warning.hidden = false;
        warning.querySelector('.signout-anyway').onclick = function () {
          form.setAttribute('data-confirmed', 'yes');
          form.requestSubmit ? form.requestSubmit() : form.submit();
        };
        warning.querySelector('.signout-stay').onclick = function () { warning.hidden = true; };
        warning.querySelector('.signout-stay').focus();
      });
    });
  }

  // The capture page kept for offline use was rendered for one officer: a page rendered for
  // anyone else (or no one) drops it, so nobody is ever shown another officer's form.
  function dropOthersPage() {
    if (!window.caches) return;
    caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match('/capture').then(function (page) {
        if (!page) return;
        var owner = decodeURIComponent(page.headers.get('Clearance-Account') || '');
        if (owner !== officer) return cache.delete('/capture');
      });
    }).catch(function () { /* no cache storage here */ });
  }

  window.ClearanceOutbox = {
    available: available,
    officer: function () { return officer; },
    save: save, correct: correct, discard: discard, list: list, sync: sync,
    onChange: function (listener) { listeners.push(listener); }
  };

  document.addEventListener('DOMContentLoaded', function () {
    box = document.getElementById('outbox');
    if (!box) return;
    officer = box.getAttribute('data-officer') || '';
    csrf = box.getAttribute('data-csrf') || '';
    canCapture = box.getAttribute('data-can-capture') === 'true';
    if (!available) return;
    dropOthersPage();
    guardSignOut();
    render();
    sync();
    setInterval(sync, SYNC_EVERY);
    window.addEventListener('online', sync);
    window.addEventListener('focus', sync);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) sync(); });
  });
})();
