// journey serve: live reload. Served at /__journey__/livereload.js and added to every page
// `journey serve` sends (never to the files on disk) as
//   <script src="/__journey__/livereload.js" data-boot="..." data-seq="N" data-file="a/b.html">
// data-boot and data-seq: the server and the build step the page was served at; data-file:
// the page's file under the output folder ("" for the 404 and waiting pages).
// One EventSource on /__journey__/events: each event says which files the build wrote since
// and the current errors. When the page's own file (or a file it embeds) changed, the page
// takes the new one (in place, see refresh); the errors show in an overlay while the last
// good map stays on screen.
(function () {
  "use strict";
  var me = document.currentScript;
  var boot = me.getAttribute("data-boot") || "";
  var seq = me.getAttribute("data-seq") || "0";
  var file = me.getAttribute("data-file") || "";
  var EVENTS = "/__journey__/events";

  function overlay(errors) {
    var box = document.getElementById("journey-live-overlay");
    if (!errors.length) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "journey-live-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;overflow:auto;" +
        "background:#3b0d0d;color:#fff;font:14px/1.5 monospace;padding:12px 16px;z-index:99999;" +
        "box-shadow:0 -4px 16px rgba(0,0,0,.4);white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var head = document.createElement("strong");
    head.textContent = "journey: the last save has errors; showing the last good map";
    box.appendChild(head);
    errors.forEach(function (d) {
      var line = document.createElement("div");
      line.className = "journey-live-error";
      line.textContent = d.file + ":" + d.line + ":" + d.column + ": " + d.code + ": " + d.message;
      box.appendChild(line);
    });
  }

  // The files under the output folder this page shows: itself and what it embeds.
  function shown() {
    var out = [file];
    var embedded = document.querySelectorAll(
      "img[src],iframe[src],embed[src],object[data],link[rel~=stylesheet][href],script[src]");
    Array.prototype.forEach.call(embedded, function (el) {
      var url = new URL(el.getAttribute("src") || el.getAttribute("data") ||
        el.getAttribute("href"), location.href);
      if (url.origin === location.origin) {
        try { out.push(decodeURIComponent(url.pathname).replace(/^\/+/, "")); } catch (e) {}
      }
    });
    return out;
  }

  function concerns(written) {
    if (written === null) { return true; }  // not known what changed: reload to be sure
    if (!written.length) { return false; }
    if (!file) { return true; }  // a 404 or waiting page: the next build may bring it
    var mine = shown();
    return written.some(function (path) { return mine.indexOf(path) >= 0; });
  }

  // The page as the server now sends it. A page without scripts of its own (the maps) gets
  // its new <head> and <body> in place, which is quicker than a reload and keeps the
  // scroll position; any other page, or any failure, reloads.
  function refresh() {
    var own = document.querySelectorAll("script:not([data-boot])");
    if (own.length || !window.fetch || !window.DOMParser) { location.reload(); return; }
    fetch(location.href, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok || response.url !== location.href.split("#")[0]) {
          throw new Error("reload");
        }
        return response.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var tag = doc.querySelector("script[data-boot]");
        if (!tag || !doc.body || doc.querySelector("script:not([data-boot])")) {
          throw new Error("reload");
        }
        var x = window.scrollX, y = window.scrollY;
        if (doc.head.innerHTML !== document.head.innerHTML) {
          document.head.replaceWith(document.adoptNode(doc.head));
        }
        document.body.replaceWith(document.adoptNode(doc.body));
        window.scrollTo(x, y);
        boot = tag.getAttribute("data-boot") || "";
        seq = tag.getAttribute("data-seq") || "0";
        file = tag.getAttribute("data-file") || "";  // a 404 page may have become a page
        connect();
      })
      .catch(function () { location.reload(); });
  }

  function connect() {
    var source = new EventSource(EVENTS + "?boot=" + encodeURIComponent(boot) +
      "&since=" + encodeURIComponent(seq) + "&file=" + encodeURIComponent(file));
    source.onmessage = function (message) {
      var s = JSON.parse(message.data);
      if (concerns(s.written)) {
        source.close();
        refresh();
        return;
      }
      boot = s.boot;
      seq = String(s.seq);
      overlay(s.errors);
    };
    source.onerror = function () {
      // The server went away, or refused (at its bound of streams): connect again from
      // the last step seen (EventSource would retry with the first address).
      source.close();
      setTimeout(connect, 1000);
    };
  }

  connect();
})();
