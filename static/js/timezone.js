// Tell the server this browser's time zone (once, and again if it changes), so the next page
// shows dates in it. A cookie the server checks against the list of zones it knows.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || document.cookie.split("; ").indexOf("tz=" + encodeURIComponent(zone)) !== -1) {
    return;
  }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax" + secure;
})();
