// The capture page's service worker (scope /capture): keeps the consent form as last rendered
// for the signed-in officer, with its scripts, stylesheet, manifest and icons, so that the page
// reloads from the tablet when the server cannot be reached. Everything else goes to the network.
//
// The form is fetched from the network first, every time; only when that fails (no signal, or a
// server that is down) is the kept copy shown. capture.js tells the worker which files the page
// uses ({cache: [urls]}) and is told back when they are all kept ({cached: true}).
'use strict';
var CACHE = 'clearance-capture-v1';
var PAGE = '/capture';

self.addEventListener('install', function (event) {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf('clearance-capture-') === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// A response worth keeping for the page: the form itself, rendered for a signed-in officer.
function isForm(response) {
  return response.status === 200 && response.type === 'basic' && !!response.headers.get('Clearance-Account');
}

function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: 'same-origin', cache: 'no-store'}).then(function (response) {
        if (url === PAGE ? isForm(response) : response.ok) return cache.put(url, response);
        throw new Error(url + ' answered ' + response.status);
      });
    })).then(function () {
      // Older versions of the page's files (their links carry a hash of their bytes) go.
      return cache.keys().then(function (requests) {
        var wanted = urls.map(function (url) { return new URL(url, self.location.origin).href; });
        return Promise.all(requests.filter(function (request) { return wanted.indexOf(request.url) < 0; })
          .map(function (request) { return cache.delete(request); }));
      });
    });
  });
}

self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (!Array.isArray(data.cache)) return;
  var urls = data.cache.filter(function (url) { return typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/'; });
  event.waitUntil(keep(urls).then(function () {
    if (event.source) event.source.postMessage({cached: true});
  }, function (error) {
    if (event.source) event.source.postMessage({cached: false, error: String(error)});
  }));
});

// Shown when the server cannot be reached and no form was kept (never opened online here, or
// kept for an officer who has since signed out).
function noCopy() {
  var html = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Offline · Clearance</title></head><body>' +
    '<h1>No connection</h1><p>This tablet has no copy of the consent form for you yet. Open the consent form once ' +
    'while connected and signed in; after that it works without a connection.</p></body></html>';
  return new Response(html, {status: 503, headers: {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store'
  }});
}

function page(request) {
  return fetch(request).then(function (response) {
    if (isForm(response)) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(PAGE, copy); });
    }
    return response;
  }, function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(PAGE); }).then(function (kept) { return kept || noCopy(); });
  });
}

// The page's files. A link with ?v= carries a hash of the bytes, so a kept copy is always right;
// the others (the manifest's icons) are fetched when the server answers and kept for when not.
function file(request) {
  var versioned = new URL(request.url).searchParams.has('v');
  return caches.open(CACHE).then(function (cache) {
    var fetched = function () {
      return fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    };
    if (!versioned) {
      return fetched().catch(function (error) {
        return cache.match(request).then(function (kept) { if (kept) return kept; throw error; });
      });
    }
    return cache.match(request).then(function (kept) { return kept || fetched(); });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === PAGE) {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(file(request));
  }
});
