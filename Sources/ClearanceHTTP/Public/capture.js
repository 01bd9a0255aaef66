// The consent form (/capture, /self/{code}): guardian fields for a child, and the signature pad.
// The age of consent comes from the form's data-age-of-consent attribute.
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
  document.getElementById('clearSignature').addEventListener('click', function () {
    pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
  });
  form.addEventListener('submit', function () {
    document.getElementById('signatureData').value = drawn ? canvas.toDataURL('image/png') : '';
  });
});
