// Hides the cookie banner once accepted; the sample site needs nothing else.
document.addEventListener('click', function (event) {
  if (event.target.matches('.cookie-accept, .consent-banner button, #cn-accept-cookie')) {
    event.target.closest('[role="dialog"]').hidden = true;
  }
});
