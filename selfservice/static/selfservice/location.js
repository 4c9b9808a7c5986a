// "Use my current location" on a report's "Where is the problem?" page (issue 20, item 4).
// Progressive enhancement: the button is shown only when the browser can give a location. The
// point goes in the form's latitude and longitude and the form is sent as Continue; the service
// finds the nearest property (contacts.gazetteer.report_uprn). Without JavaScript, or when the
// resident or the browser says no, they find the address by postcode or describe the place.
const panel = document.querySelector("[data-nwd-use-location]");

if (panel && "geolocation" in navigator) {
  const form = panel.closest("form");
  const button = panel.querySelector("button");
  const status = panel.querySelector("[data-nwd-location-status]");
  panel.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = "Location found. Sending it…";
        form.submit();
      },
      () => {
        button.disabled = false;
        status.textContent = "We could not get your location. Find the address by postcode, or " +
          "describe where the problem is.";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}
