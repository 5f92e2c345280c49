/* Học Vụ Số — the field app's service worker (served by hocvuso/web/field/views.py under the app's address, so its
   scope is the app). It keeps the app shell — the page, its script and style, the vendored idb, the icons, the
   manifest: no personal data — and serves it from its cache first, so the app opens with no network at all. The
   field API is never cached here: the app keeps what it downloads in IndexedDB. A new shell has a new cache name;
   the old cache is removed when the new worker takes over. */
"use strict";

var CACHE_PREFIX = "hocvuso-field-";
var CACHE = CACHE_PREFIX + "{{ version }}";
var SHELL = {{ shell|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        return cache.addAll(
          SHELL.map(function (url) {
            return new Request(url, { cache: "reload" });
          })
        );
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) {
    return; // the API, the registration page, everything else: the network, as without a worker
  }
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (kept) {
        if (kept) {
          return kept;
        }
        return fetch(request).then(function (response) {
          if (response.ok && !response.redirected) {
            cache.put(url.pathname, response.clone());
          }
          return response;
        });
      });
    })
  );
});
