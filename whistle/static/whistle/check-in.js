// 报到 from the phone: the big button posts the phone's location with the check-in (the form carries
// the CSRF token). If the phone refuses or cannot tell, the form goes without a point and says why:
// the server then records the case's point with that note. No library, no network but the post.
(function () {
  function send(form, button) {
    button.disabled = true;
    form.submit(); // a programmatic submit fires no second submit event
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("check-in")) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".location-status");
    if (button.disabled) return;
    button.disabled = true;
    status.textContent = form.dataset.locating;
    if (!navigator.geolocation) {
      form.elements.location_note.value = form.dataset.unavailable;
      send(form, button);
      return;
    }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(6);
      form.elements.lng.value = position.coords.longitude.toFixed(6);
      send(form, button);
    }, function (error) {
      var note = error.code === error.PERMISSION_DENIED ? form.dataset.refused : form.dataset.unavailable;
      form.elements.location_note.value = note;
      status.textContent = note;
      send(form, button);
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
