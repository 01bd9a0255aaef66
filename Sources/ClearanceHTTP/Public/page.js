// Behaviour every page may use, wired from data attributes so that no page needs inline script
// or inline event handlers (the Content-Security-Policy allows neither).
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // <button data-print>: prints the page (the receipt).
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
  // <form data-confirm="question">: asks before submitting (erasure).
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
});
