/*! Ravensmere SEND Local Offer: production bundle (demo stand-in for a create-react-app build).
 * Like the real thing, the server sends the same empty shell for every route and this script builds
 * the page: it reads the site furniture (/api/site.json) and the route's content
 * (/api/pages/<slug>.json) from the same host, then renders header, navigation, content,
 * "Last updated" and footer into <div id="root">, and sets the document title (as react-helmet does).
 * Nothing of the Local Offer is in the HTML the server sends. */
(function () {
  "use strict";
  var root = document.getElementById("root");
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function slug(path) {
    var p = path.replace(/\/+$/, "");
    return p === "" ? "home" : p.slice(1).replace(/\//g, "--");
  }
  function json(url) {
    return fetch(url, {headers: {"Accept": "application/json"}}).then(function (r) { return r.ok ? r.json() : null; });
  }
  function links(items) {
    return items.map(function (l) { return '<li><a href="' + esc(l.href) + '">' + esc(l.text) + "</a></li>"; }).join("");
  }
  function render(site, page) {
    if (!page) {
      page = {title: "Page not found", updated: null, body: "<p>Sorry, we could not find that page.</p>"};
    }
    document.title = page.title + " | " + site.name;
    root.innerHTML =
      '<a class="rv-skip" href="#content">Skip to main content</a>' +
      '<header class="rv-header"><a class="rv-brand" href="/">' + esc(site.name) + "</a>" +
      '<form class="rv-search" role="search" action="/search" method="get"><label for="rv-q">Search the Local Offer</label>' +
      '<input id="rv-q" name="q" type="search"><button type="submit">Search</button></form>' +
      '<nav class="rv-nav" aria-label="Main"><ul>' + links(site.navigation) + "</ul></nav></header>" +
      '<main id="content" class="rv-main"><h1>' + esc(page.title) + "</h1>" + page.body +
      (page.updated ? '<p class="rv-updated">Last updated: ' + esc(page.updated) + "</p>" : "") + "</main>" +
      '<footer class="rv-footer"><ul>' + links(site.footer) + "</ul><p>" + esc(site.copyright) + "</p></footer>";
  }
  Promise.all([json("/api/site.json"), json("/api/pages/" + slug(location.pathname) + ".json")])
    .then(function (got) { render(got[0], got[1]); })
    .catch(function () { root.innerHTML = "<p>Sorry, the Local Offer could not be loaded. Please try again later.</p>"; });
})();
