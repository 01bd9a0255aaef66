// The check page: uploads through the JSON API (the session's CSRF token comes from the upload
// form's data-csrf attribute), and face boxes placed from their data-x/-y/-w/-h percentages.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('.face[data-x]').forEach(function (box) {
    ['x', 'y', 'w', 'h'].forEach(function (key, i) {
      var value = parseFloat(box.getAttribute('data-' + key));
      if (!isFinite(value)) value = 0;
      box.style[['left', 'top', 'width', 'height'][i]] = Math.min(Math.max(value, 0), 100) + '%';
    });
    box.classList.add('placed');
  });

  var upload = document.getElementById('upload');
  if (!upload) return;
  upload.addEventListener('submit', async function (e) {
    e.preventDefault();
    var files = document.getElementById('file').files, status = document.getElementById('upload-status');
    for (var i = 0; i < files.length; i++) {
      status.textContent = 'Uploading ' + files[i].name + '…';
      var r = await fetch('/api/v1/assets?filename=' + encodeURIComponent(files[i].name), {
        method: 'POST',
        headers: { 'X-CSRF-Token': upload.getAttribute('data-csrf'), 'Content-Type': files[i].type || 'application/octet-stream' },
        body: files[i]
      });
      if (!r.ok) {
        var reason = r.status;
        try { reason = (await r.json()).error || reason; } catch (ignored) { /* not JSON */ }
        status.textContent = files[i].name + ': ' + reason;
        return;
      }
    }
    location.reload();
  });
});
