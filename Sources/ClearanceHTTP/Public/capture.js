// The consent form (/capture, /self/{code}): guardian fields for a child, and the signature pad.
// The age of consent comes from the form's data-age-of-consent attribute.
//
// On the officer's tablet (/capture, data-offline="on") saving goes through the outbox
// (outbox.js): the receipt, with the reference reserved for this tablet and the withdrawal link
// and QR code made here, is shown at once, with or without a connection, and the outbox sends
// the consent when the server answers. The page is kept by a service worker (worker.js) so that
// it reloads with no connection. Without WebCrypto and IndexedDB the form posts as before.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('capture');
  if (!form) return;
  var born = document.getElementById('born'), band = document.getElementById('ageBand');
  var guardian = document.getElementById('guardian');
  var age = parseInt(form.getAttribute('data-age-of-consent'), 10) || 13;
  function isChild() {
    if (band.value === 'child') return true;
    if (!born.value) return false;
    var b = new Date(born.value), now = new Date(), years = now.getFullYear() - b.getFullYear();
    if (now.getMonth() < b.getMonth() || (now.getMonth() === b.getMonth() && now.getDate() < b.getDate())) years--;
    return years < age;
  }
  function update() { guardian.hidden = !isChild() && !guardian.querySelector('.error'); }
  born.addEventListener('input', update);
  band.addEventListener('change', update);
  update();

  var canvas = document.getElementById('signature'), pen = canvas.getContext('2d'), drawn = false, down = false;
  pen.lineWidth = 3; pen.lineCap = 'round'; pen.strokeStyle = '#000';
  function at(e) {
    var r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener('pointerdown', function (e) {
    down = true; var p = at(e); pen.beginPath(); pen.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', function (e) {
    if (!down) return; var p = at(e); pen.lineTo(p[0], p[1]); pen.stroke(); drawn = true;
  });
  canvas.addEventListener('pointerup', function () { down = false; });
  function clearSignature() { pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; }
  document.getElementById('clearSignature').addEventListener('click', clearSignature);
  form.addEventListener('submit', function () {
    document.getElementById('signatureData').value = drawn ? canvas.toDataURL('image/png') : '';
  });

  var outbox = window.ClearanceOutbox;
  if (form.getAttribute('data-offline') !== 'on' || !outbox || !outbox.available || !outbox.officer()) return;

  var receipt = document.getElementById('offline-receipt'), problem = document.getElementById('capture-problem');
  var correcting = document.getElementById('correcting'), title = document.getElementById('capture-title');
  var list = document.getElementById('outbox-list'), items = document.getElementById('outbox-items'), listed = null;
  var editing = null, shown = null;

  // MARK: The service worker

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', function (event) {
      if (event.data && 'cached' in event.data) form.setAttribute('data-offline-ready', event.data.cached ? 'true' : 'false');
    });
    navigator.serviceWorker.startMessages();
    navigator.serviceWorker.register(form.getAttribute('data-worker'), {scope: '/capture'}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The form itself and every file it uses; the manifest's icons are named on the form.
      var files = ['/capture'];
      document.querySelectorAll('script[src], link[rel=stylesheet][href], link[rel=manifest][href], link[rel=icon][href]').forEach(function (el) {
        files.push(el.getAttribute('src') || el.getAttribute('href'));
      });
      (form.getAttribute('data-icons') || '').split(' ').forEach(function (icon) { if (icon) files.push(icon); });
      if (navigator.onLine && registration.active) registration.active.postMessage({cache: files});
    }).catch(function () { /* no connection: the kept copy is what is showing */ });
  }

  // MARK: Reading and checking the form

  function value(id) { var el = document.getElementById(id); return el ? el.value.trim() : ''; }

  function fields() {
    var ticked = [];
    form.querySelectorAll('input[name=channels]:checked').forEach(function (box) { ticked.push(box.value); });
    var f = {event: value('event'), formVersion: form.querySelector('input[name=formVersion]').value, name: value('name'),
             born: value('born'), ageBand: band.value, email: value('email'), channels: ticked,
             guardianName: value('guardianName'), guardianRelationship: value('guardianRelationship'),
             signaturePNG: drawn ? canvas.toDataURL('image/png') : ''};
    Object.keys(f).forEach(function (k) { if (f[k] === '') delete f[k]; });
    if (f.born) delete f.ageBand;
    return f;
  }

  // The server's rules for the form, so a consent that would be refused is never queued.
  function problems(f) {
    var found = {}, today = new Date().toISOString().slice(0, 10);
    // The caps the server counts in Unicode scalars (code points here), and no control characters.
    [['event', 'event'], ['name', 'name'], ['born', 'born'], ['guardianName', 'guardian'], ['guardianRelationship', 'guardian'],
     ['email', 'email']].forEach(function (pair) {
      var el = document.getElementById(pair[0]), limit = el ? parseInt(el.getAttribute('maxlength'), 10) : NaN;
      if (!el || found[pair[1]]) return;
      if (limit && Array.from(el.value).length > limit) found[pair[1]] = 'At most ' + limit + ' characters.';
      else if (/[\u0000-\u001f\u007f-\u009f]/.test(el.value)) found[pair[1]] = 'Remove the control characters (tabs, line breaks…).';
    });
    if (Object.keys(found).length) return found;
    if (!f.event) found.event = 'Name the event.';
    if (!f.name) found.name = "Enter the person's full name.";
    if (f.born) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(f.born) || isNaN(Date.parse(f.born)) || f.born > today) found.born = 'Enter a real date of birth in the past.';
    } else if (!f.ageBand) {
      found.born = 'Enter a date of birth or choose an age band.';
    }
    if (!f.channels.length) found.channels = 'Tick at least one channel.';
    if (isChild() && (!f.guardianName || !f.guardianRelationship)) {
      found.guardian = "A child needs a parent or guardian's name and relationship.";
    } else if (!f.guardianName !== !f.guardianRelationship) {
      found.guardian = "Give both the guardian's name and relationship, or neither.";
    }
    if (f.email && f.email.indexOf('@') < 0) found.email = 'Enter an email address, or leave it empty.';
    if (!f.signaturePNG) found.signature = 'Please sign in the box.';
    return found;
  }

  var places = {event: 'event', name: 'name', born: 'born', channels: null, guardian: 'guardian', email: 'email', signature: 'signature'};
  function place(key) {
    if (key === 'channels') return form.querySelector('fieldset.ticks');
    if (key === 'guardian') return guardian;
    var el = document.getElementById(places[key] || '');
    return el ? el.parentNode : null;
  }

  function showProblems(found, message) {
    form.querySelectorAll('.client-error').forEach(function (el) { el.remove(); });
    form.querySelectorAll('.field-error').forEach(function (el) { el.classList.remove('field-error'); });
    var keys = Object.keys(found);
    keys.forEach(function (key) {
      var where = place(key) || form;
      var note = document.createElement('span');
      note.className = 'error client-error';
      note.textContent = found[key];
      where.classList.add('field-error');
      where.appendChild(note);
    });
    update();
    problem.textContent = message || (keys.length ? 'Please correct the fields marked below.' : '');
    problem.hidden = problem.textContent === '';
    if (!problem.hidden) problem.scrollIntoView({block: 'center'});
  }

  // MARK: The receipt, made on the tablet

  function givenDay(capturedAt) { return new Date(capturedAt).toISOString().slice(0, 10); }

  // The same day `years` later; 29 February becomes 28 February in a common year (as the server).
  function addYears(day, years) {
    var y = parseInt(day.slice(0, 4), 10) + years, m = day.slice(5, 7), d = day.slice(8, 10);
    var leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (m === '02' && d === '29' && !leap) d = '28';
    return String(y).padStart(4, '0') + '-' + m + '-' + d;
  }

  function qrCode(text) {
    var qr = qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    var n = qr.getModuleCount(), size = n + 8, path = '';
    for (var row = 0; row < n; row++) {
      for (var col = 0; col < n; col++) if (qr.isDark(row, col)) path += 'M' + (col + 4) + ' ' + (row + 4) + 'h1v1h-1z';
    }
    var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + size * 8 + '" height="' + size * 8 + '" viewBox="0 0 ' + size + ' ' + size +
      '" shape-rendering="crispEdges">' +
      '<rect width="' + size + '" height="' + size + '" fill="#fff"/><path d="' + path + '" fill="#000"/></svg>';
    return 'data:image/svg+xml;base64,' + btoa(svg);
  }

  function set(selector, text) { receipt.querySelector(selector).textContent = text; }

  function showReceipt(capture, sent) {
    var link = capture.linkBase + '/withdraw/' + capture.withdrawalSecret;
    var guardianText = [capture.guardianName, capture.guardianRelationship].filter(Boolean).join(', ');
    shown = capture.id;
    document.getElementById('reference').textContent = capture.reference;
    set('.receipt-reference', capture.reference);
    set('.receipt-name', capture.name || '');
    set('.receipt-event', capture.event || '');
    set('.receipt-channels', (capture.channels || []).join(', '));
    set('.receipt-guardian', guardianText);
    receipt.querySelector('.receipt-guardian-row').hidden = guardianText === '';
    set('.receipt-form', capture.formVersion || '');
    set('.receipt-given', givenDay(capture.capturedAt));
    set('.receipt-expires', capture.expires);
    var anchor = document.getElementById('withdrawal-link');
    anchor.href = link;
    anchor.textContent = link;
    document.getElementById('withdrawal-qr').src = qrCode(link);
    markSent(sent);
    form.hidden = true;
    problem.hidden = true;
    correcting.hidden = true;
    title.hidden = true;
    list.hidden = true;
    receipt.hidden = false;
    window.scrollTo(0, 0);
  }

  function markSent(sent) {
    var line = document.getElementById('receipt-status');
    line.setAttribute('data-state', sent ? 'sent' : 'waiting');
    line.textContent = sent ? 'Recorded in the ledger.'
      : 'Saved on this tablet. It is sent to the ledger by itself as soon as the server answers; the reference will not change.';
  }

  window.addEventListener('clearance-outbox-sent', function (event) {
    if (event.detail && event.detail.id === shown) markSent(true);
  });

  function nextPerson() {
    form.reset();
    clearSignature();
    showProblems({});
    editing = null;
    shown = null;
    correcting.hidden = true;
    receipt.hidden = true;
    title.hidden = false;
    form.hidden = false;
    listed = null;
    refresh();
    update();
    window.scrollTo(0, 0);
    document.getElementById('name').focus();
  }
  document.getElementById('next-person').addEventListener('click', nextPerson);

  // MARK: Saving

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var f = fields(), found = problems(f);
    if (Object.keys(found).length) { showProblems(found); return; }
    var capturedAt = Date.now();
    f.expires = addYears(givenDay(capturedAt), parseInt(form.getAttribute('data-expiry-years'), 10) || 3);
    f.linkBase = form.getAttribute('data-link-base');
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    var saving = editing ? outbox.correct(editing, f) : outbox.save(Object.assign(f, {capturedAt: capturedAt}));
    saving.then(function (capture) {
      editing = null;
      form.removeAttribute('data-editing');
      showProblems({});
      showReceipt(capture, false);
    }, function (error) {
      showProblems({}, error.message || String(error));
    }).then(function () { button.disabled = false; });
  });

  // MARK: What waits on this tablet


  function button(text, action) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.addEventListener('click', action);
    return b;
  }

  function correct(entry) {
    var c = entry.capture;
    nextPerson();
    editing = c.id;
    ['event', 'name', 'born', 'email', 'guardianName', 'guardianRelationship'].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.value = c[id] || '';
    });
    band.value = c.ageBand || '';
    form.querySelectorAll('input[name=channels]').forEach(function (box) { box.checked = (c.channels || []).indexOf(box.value) >= 0; });
    // data-editing says the form holds the capture again, signature included.
    form.removeAttribute('data-editing');
    if (c.signaturePNG) {
      var image = new Image();
      image.addEventListener('load', function () { pen.drawImage(image, 0, 0); drawn = true; form.setAttribute('data-editing', c.id); });
      image.src = c.signaturePNG;
    } else {
      form.setAttribute('data-editing', c.id);
    }
    correcting.textContent = 'Correcting ' + c.reference + ' (the reference and withdrawal link stay the same). ' +
      'The server said: ' + (entry.item.reason || '');
    correcting.hidden = false;
    var found = {};
    if (entry.item.field && entry.item.field !== 'form') found[entry.item.field] = entry.item.reason;
    showProblems(found, found[entry.item.field] ? '' : entry.item.reason);
    update();
  }

  function refresh() {
    outbox.list().then(function (entries) {
      // Rebuilt only when something changed, so a Discard half-confirmed stays as it is.
      var now = JSON.stringify(entries.map(function (e) { return [e.item.id, e.item.state, e.item.reason || '']; }));
      if (now === listed) return;
      listed = now;
      items.textContent = '';
      entries.forEach(function (entry) {
        var c = entry.capture || {}, li = document.createElement('li');
        li.setAttribute('data-id', entry.item.id);
        li.setAttribute('data-state', entry.item.state);
        var title = document.createElement('strong');
        title.textContent = (c.reference || '?') + ' ';
        li.appendChild(title);
        li.appendChild(document.createTextNode([c.name, c.event].filter(Boolean).join(', ') + ': '));
        var state = document.createElement('span');
        state.className = entry.item.state === 'refused' ? 'status-bad' : '';
        state.textContent = entry.item.state === 'refused' ? 'refused: ' + entry.item.reason : 'waiting to be sent';
        li.appendChild(state);
        li.appendChild(document.createElement('br'));
        if (entry.capture) li.appendChild(button('Show receipt', function () { showReceipt(entry.capture, false); }));
        if (entry.capture && entry.item.state === 'refused') li.appendChild(button('Correct', function () { correct(entry); }));
        var discard = button('Discard', function () {
          if (discard.getAttribute('data-armed') !== 'yes') {
            discard.setAttribute('data-armed', 'yes');
            discard.textContent = 'Discard for good: this consent will not be recorded';
            return;
          }
          outbox.discard(entry.item.id);
        });
        discard.className = 'discard';
        li.appendChild(discard);
        items.appendChild(li);
      });
      // Out of the way while a receipt is being shown to the person.
      list.hidden = entries.length === 0 || !receipt.hidden;
    });
  }
  outbox.onChange(refresh);
  refresh();
});
