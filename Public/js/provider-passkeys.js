// The provider's passkey script (the site has its own, passkeys.js): both apps serve Public/.
// Passkeys on Latchkey ID: adding one on the security page, using one as the second sign-in step,
// and signing in with one alone from the sign-in page (its button, or the username field's
// autofill through conditional mediation).
// Served from our own origin (the CSP allows no inline script). The server sends WebAuthn options
// as JSON and takes the browser's PublicKeyCredential.toJSON() back; it answers {redirect} or {error}.
(function () {
  "use strict";

  function show(message) {
    var box = document.getElementById("passkey-error");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  // The page's own words, in its language, from the error box's data-msg-* attributes; the
  // English here only if a page lacks one.
  function text(key, english) {
    var box = document.getElementById("passkey-error");
    return (box && box.dataset[key]) || english;
  }

  async function call(path, csrf, body) {
    var response = await fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body)
    });
    var failed = text("msgFailed", "Something went wrong. Try again.");
    var answer = await response.json().catch(function () { return { error: failed }; });
    if (!response.ok || answer.error) { throw new Error(answer.error || failed); }
    return answer;
  }

  function supported() {
    return window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON
      && PublicKeyCredential.parseRequestOptionsFromJSON;
  }

  var add = document.getElementById("passkey-add");
  if (add) {
    document.getElementById("passkey-add-button").addEventListener("click", async function () {
      if (!supported()) { show(text("msgCannotCreate", "This browser cannot create passkeys.")); return; }
      var csrf = add.dataset.csrf;
      var name = document.getElementById("passkey-name").value || "Passkey";
      try {
        var options = await call("/account/passkeys/options", csrf);
        var credential = await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) });
        var answer = await call("/account/passkeys?name=" + encodeURIComponent(name), csrf, credential.toJSON());
        window.location.assign(answer.redirect);
      } catch (error) {
        show(error && error.name === "NotAllowedError" ? text("msgNotCreated", "The passkey was not created.") : String(error.message || error));
      }
    });
  }

  var signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    document.getElementById("passkey-sign-in-button").addEventListener("click", async function () {
      if (!supported()) { show(text("msgCannotUse", "This browser cannot use passkeys.")); return; }
      var csrf = signIn.dataset.csrf;
      try {
        var options = await call("/login/second-factor/passkey/options", csrf);
        var credential = await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
        var answer = await call("/login/second-factor/passkey", csrf, credential.toJSON());
        window.location.assign(answer.redirect);
      } catch (error) {
        show(error && error.name === "NotAllowedError" ? text("msgNotUsed", "No passkey was used.") : String(error.message || error));
      }
    });
  }
  var first = document.getElementById("passkey-first");
  if (first) {
    var button = document.getElementById("passkey-first-button");
    var finish = "/login/passkey" + (first.dataset.next ? "?next=" + encodeURIComponent(first.dataset.next) : "");
    var autofill = null;
    async function passwordless(mediation, signal) {
      var options = await call("/login/passkey/options", first.dataset.csrf);
      var request = { publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) };
      if (mediation) { request.mediation = mediation; request.signal = signal; }
      var credential = await navigator.credentials.get(request);
      var answer = await call(finish, first.dataset.csrf, credential.toJSON());
      window.location.assign(answer.redirect);
    }
    if (!supported()) {
      first.hidden = true;
    } else {
      button.addEventListener("click", async function () {
        // One credentials.get at a time: the autofill request yields to the button.
        if (autofill) { autofill.abort(); autofill = null; }
        try { await passwordless(); } catch (error) {
          show(error && (error.name === "NotAllowedError" || error.name === "AbortError") ? text("msgNotUsed", "No passkey was used.") : String(error.message || error));
        }
      });
      if (PublicKeyCredential.isConditionalMediationAvailable) {
        PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
          if (!available) return;
          autofill = new AbortController();
          passwordless("conditional", autofill.signal).catch(function (error) {
            if (error && error.name !== "AbortError" && error.name !== "NotAllowedError") show(String(error.message || error));
          });
        });
      }
    }
  }
})();
