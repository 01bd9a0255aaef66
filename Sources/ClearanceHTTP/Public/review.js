// The review page: decide who each face is, keyboard first, through the JSON API.
// One picture is current at a time and, in it, one face. The current picture's name field has
// the focus: typing searches the register (GET /api/v1/review/people), Enter picks the
// highlighted person. In an empty field, 1 = not identifiable, 2 = not a face, 0 = no people in
// the whole picture, 9 = it shows service users; arrows move between faces, Page Down/Up between
// pictures. Every decision moves on to the next undecided face; after the last one the verdict
// for the chosen channel is shown at once. The CSRF token comes from #review's data-csrf.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var bar = document.getElementById('review');
  if (!bar) return;
  var csrf = bar.getAttribute('data-csrf');
  var channelSelect = document.getElementById('review-channel');
  var articles = Array.prototype.slice.call(document.querySelectorAll('article[data-asset]'));
  var state = new Map();   // article -> {faces: [...] | null, current: index, matches: [], chosen: index}
  var currentArticle = null;

  function api(method, path, body) {
    var options = {method: method, headers: {'Accept': 'application/json'}, credentials: 'same-origin'};
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.headers['X-CSRF-Token'] = csrf;
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || ('the server answered ' + response.status));
        return data;
      });
    });
  }

  function sha(article) { return article.getAttribute('data-asset'); }
  function part(article, selector) { return article.querySelector(selector); }
  function say(article, text) { part(article, '.face-status').textContent = text; }

  // Faces from GET /api/v1/assets/{sha256}: numbered boxes over the picture. A server without
  // face listings (or a picture with none) leaves the whole-picture decisions.
  function load(article) {
    return api('GET', '/api/v1/assets/' + sha(article)).then(function (asset) {
      var listing = asset.faces && Array.isArray(asset.faces.faces) ? asset.faces : null;
      var s = state.get(article);
      s.faces = listing ? listing.faces : [];
      s.unaccounted = listing ? listing.unaccounted : null;
      draw(article);
      return s;
    });
  }

  function label(face) {
    if (face.decision === 'not-identifiable') return 'not identifiable';
    if (face.decision === 'not-a-face') return 'not a face';
    if (face.decision === 'not-registered') return 'not in the register';
    if (face.name) return face.name;
    if (face.person) return face.person;
    return face.accounted ? 'accounted for' : 'undecided';
  }

  function draw(article) {
    var s = state.get(article), stage = part(article, '.stage');
    stage.querySelectorAll('.face-box').forEach(function (box) { box.remove(); });
    s.faces.forEach(function (face, index) {
      var box = document.createElement('button');
      box.type = 'button';
      box.className = 'face face-box placed' + (face.accounted ? ' accounted' : '') +
        (face.decision === 'not-registered' ? ' to-find' : '') + (index === s.current ? ' current' : '');
      box.setAttribute('data-face', String(face.n));
      box.setAttribute('aria-label', 'Face ' + face.n + ': ' + label(face));
      var b = face.box || {};
      [['left', b.x], ['top', b.y], ['width', b.w], ['height', b.h]].forEach(function (pair) {
        var value = Number(pair[1]);
        if (!isFinite(value)) value = 0;
        box.style[pair[0]] = Math.min(Math.max(value, 0), 1) * 100 + '%';
      });
      var tag = document.createElement('span');
      tag.textContent = face.n + (face.accounted || face.decision ? ' ' + label(face) : '');
      box.appendChild(tag);
      box.addEventListener('click', function () { select(article, index); });
      stage.appendChild(box);
    });
    describe(article);
  }

  function describe(article) {
    var s = state.get(article);
    if (!s.faces.some(function (f) { return f.source === 'detected'; })) {
      say(article, s.faces.length ? 'No face found by the detector: decide for the whole picture (a name, 0 for no people).'
        : 'No face boxes: decide for the whole picture (a name, or 0 for no people).');
    } else if (s.current >= 0 && s.current < s.faces.length) {
      var face = s.faces[s.current];
      say(article, 'Face ' + face.n + ' of ' + s.faces.length + ': ' + label(face) + '.');
    } else {
      say(article, 'Every face is decided.');
    }
  }

  // Only faces the detector found are decided by number; a metadata region over no detected face
  // is shown but settled by its metadata or a whole-picture decision.
  // When the gate counts no face unaccounted (names without a region cover them), a name picked
  // is for the whole picture: it settles which namesake the file's name means.
  function open(s, face) { return s.unaccounted !== 0 && face.source === 'detected' && !face.accounted; }

  function nextUndecided(s, from) {
    for (var i = Math.max(from, 0); i < s.faces.length; i++) if (open(s, s.faces[i])) return i;
    for (var j = 0; j < Math.min(from, s.faces.length); j++) if (open(s, s.faces[j])) return j;
    return -1;
  }

  function select(article, index) {
    activate(article);
    var s = state.get(article);
    s.current = index;
    draw(article);
    part(article, '.who').focus();
  }

  function activate(article, focus) {
    if (currentArticle === article) return;
    if (currentArticle) currentArticle.classList.remove('active');
    currentArticle = article;
    article.classList.add('active');
    if (focus) {
      article.scrollIntoView({block: 'start'});
      part(article, '.who').focus({preventScroll: true});
    }
  }

  function showVerdict(article) {
    var line = part(article, '.verdict-line');
    return api('POST', '/api/v1/check', {assets: [sha(article)], channel: channelSelect.value}).then(function (answer) {
      var verdict = answer[0] || {};
      var codes = (verdict.reasons || []).map(function (r) { return r.code; });
      line.textContent = (verdict.cleared ? 'Cleared for ' : 'Blocked for ') + channelSelect.value +
        (codes.length ? ': ' + codes.filter(function (c, i) { return codes.indexOf(c) === i; }).join(', ') : '') +
        '. Page Down for the next picture.';
      line.className = 'verdict-line ' + (verdict.cleared ? 'status-ok' : 'status-bad');
      article.setAttribute('data-verdict', verdict.cleared ? 'cleared' : 'blocked');
      article.classList.add('decided');
    });
  }

  // After a decision: the next undecided face, or the verdict when none is left.
  function advance(article) {
    var s = state.get(article);
    var next = nextUndecided(s, s.current + 1);
    s.current = next;
    draw(article);
    if (next < 0 || !s.faces.length) return showVerdict(article);
    part(article, '.verdict-line').textContent = '';
    return Promise.resolve();
  }

  function decide(article, body, whole) {
    var s = state.get(article);
    var face = s.faces[s.current];
    if (!whole && face && face.source !== 'detected') {
      say(article, 'Face ' + face.n + ' is a region from the file\'s metadata: decide the faces the detector found, or the whole picture.');
      return Promise.resolve();
    }
    var request;
    if (!whole && face) {
      request = api('POST', '/api/v1/assets/' + sha(article) + '/faces/' + face.n, body);
    } else if (body.person) {
      request = api('POST', '/api/v1/assets/' + sha(article) + '/tag', {people: [body.person]});
    } else if (body.noPeople || body.serviceUsers) {
      request = api('POST', '/api/v1/assets/' + sha(article) + '/tag', body);
    } else {
      say(article, 'There is no face here to decide: use 0 for no people, or type a name.');
      return Promise.resolve();
    }
    clearMatches(article);
    return request.then(function () { return load(article); }).then(function () {
      return whole ? showVerdict(article) : advance(article);
    }).then(function () {
      // Said at once, before what comes next: this decision keeps the picture blocked.
      if (!whole && body.notRegistered) {
        say(article, 'Face ' + face.n + ' is not in the register: it is on the people-to-find list, and the picture stays blocked. ' +
          part(article, '.face-status').textContent);
      }
    }).catch(function (error) { say(article, error.message); });
  }

  // The register, searched as the reviewer types.
  var pending = 0;
  function search(article) {
    var input = part(article, '.who'), text = input.value.trim(), ticket = ++pending;
    if (!text) { clearMatches(article); return; }
    api('GET', '/api/v1/review/people?q=' + encodeURIComponent(text)).then(function (people) {
      if (ticket !== pending) return;
      var s = state.get(article);
      s.matches = people;
      s.chosen = people.length ? 0 : -1;
      showMatches(article);
    }).catch(function (error) { say(article, error.message); });
  }

  function showMatches(article) {
    var s = state.get(article), list = part(article, '.matches'), input = part(article, '.who');
    list.textContent = '';
    s.matches.forEach(function (person, index) {
      var item = document.createElement('li');
      item.setAttribute('role', 'option');
      item.id = 'match-' + sha(article) + '-' + index;
      item.setAttribute('aria-selected', index === s.chosen ? 'true' : 'false');
      item.textContent = person.name + (person.aliases.length ? ' (' + person.aliases.join(', ') + ')' : '') + ' · ' + person.id +
        ' · ' + (person.channels.length ? 'consented: ' + person.channels.join(', ') : 'no consent in force');
      item.addEventListener('click', function () { s.chosen = index; pick(article); });
      list.appendChild(item);
    });
    if (!s.matches.length && input.value.trim()) {
      var none = document.createElement('li');
      none.setAttribute('role', 'option');
      none.setAttribute('aria-disabled', 'true');
      none.textContent = 'Nobody in the register matches. Leave the face undecided: the picture stays blocked.';
      list.appendChild(none);
    }
    input.setAttribute('aria-expanded', list.children.length ? 'true' : 'false');
    if (s.chosen >= 0) input.setAttribute('aria-activedescendant', 'match-' + sha(article) + '-' + s.chosen);
    else input.removeAttribute('aria-activedescendant');
  }

  function clearMatches(article) {
    var s = state.get(article), input = part(article, '.who');
    s.matches = [];
    s.chosen = -1;
    input.value = '';
    showMatches(article);
  }

  function pick(article) {
    var s = state.get(article);
    var person = s.matches[s.chosen];
    if (!person) return Promise.resolve();
    // A face on the people-to-find list, chosen again once its person is registered, is decided
    // as that face; otherwise a name with no face left open is for the whole picture.
    var current = s.faces[s.current];
    var listed = current && current.source === 'detected' && current.decision === 'not-registered';
    return decide(article, {person: person.id}, s.current < 0 || (!listed && !s.faces.some(function (f) { return open(s, f); })));
  }

  function move(step) {
    var index = articles.indexOf(currentArticle) + step;
    if (index >= 0 && index < articles.length) activate(articles[index], true);
  }

  function faceStep(article, step) {
    var s = state.get(article);
    if (!s.faces.length) return;
    s.current = ((s.current < 0 ? (step > 0 ? -1 : 0) : s.current) + step + s.faces.length) % s.faces.length;
    draw(article);
  }

  document.addEventListener('keydown', function (event) {
    if (!currentArticle || event.altKey || event.ctrlKey || event.metaKey) return;
    var article = currentArticle, s = state.get(article), input = part(article, '.who');
    var typing = document.activeElement === input && input.value !== '';
    var key = event.key;
    if (key === 'PageDown') { event.preventDefault(); move(1); return; }
    if (key === 'PageUp') { event.preventDefault(); move(-1); return; }
    if (document.activeElement && document.activeElement !== input && document.activeElement !== document.body &&
        !document.activeElement.classList.contains('face-box')) return;
    if (typing) {
      if (key === 'Enter') { event.preventDefault(); pick(article); }
      else if (key === 'ArrowDown' || key === 'ArrowUp') {
        event.preventDefault();
        if (s.matches.length) { s.chosen = (s.chosen + (key === 'ArrowDown' ? 1 : s.matches.length - 1)) % s.matches.length; showMatches(article); }
      } else if (key === 'Escape') { event.preventDefault(); clearMatches(article); }
      return;
    }
    var actions = {
      '1': function () { decide(article, {notIdentifiable: true}, false); },
      '2': function () { decide(article, {notAFace: true}, false); },
      '3': function () { decide(article, {notRegistered: true}, false); },
      '0': function () { decide(article, {noPeople: true}, true); },
      '9': function () { decide(article, {serviceUsers: true}, true); },
      'ArrowRight': function () { faceStep(article, 1); },
      'ArrowLeft': function () { faceStep(article, -1); }
    };
    if (actions[key]) { event.preventDefault(); actions[key](); return; }
    if (key.length === 1 && document.activeElement !== input) input.focus();
  });

  articles.forEach(function (article) {
    state.set(article, {faces: [], current: -1, matches: [], chosen: -1});
    var input = part(article, '.who');
    input.addEventListener('input', function () { search(article); });
    input.addEventListener('focus', function () { activate(article); });
    article.querySelectorAll('[data-decide]').forEach(function (button) {
      button.addEventListener('click', function () {
        activate(article);
        var kind = button.getAttribute('data-decide');
        decide(article, kind === 'not-a-face' ? {notAFace: true} : kind === 'not-registered' ? {notRegistered: true} : {notIdentifiable: true}, false);
      });
    });
    article.querySelectorAll('[data-whole]').forEach(function (button) {
      button.addEventListener('click', function () {
        activate(article);
        decide(article, button.getAttribute('data-whole') === 'no-people' ? {noPeople: true} : {serviceUsers: true}, true);
      });
    });
    load(article).then(function (s) {
      s.current = nextUndecided(s, 0);
      draw(article);
    }).catch(function (error) { say(article, error.message); });
  });
  channelSelect.addEventListener('change', function () {
    articles.filter(function (a) { return a.classList.contains('decided'); }).forEach(showVerdict);
  });

  // The picture named in the address (#<sha256>, from the check page), else the first.
  var wanted = location.hash.slice(1);
  var first = articles.filter(function (a) { return sha(a) === wanted; })[0] || articles[0];
  if (first) activate(first, true);
});
