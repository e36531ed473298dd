// Passkeys in the browser (issue 14). Served as a file because the Content-Security-Policy
// allows only our own scripts. Each block marked
// data-passkey="register|second-factor|sign-in|reauthenticate" has a button naming two
// endpoints: data-options answers the WebAuthn options as JSON, data-finish takes the
// credential (PublicKeyCredential.toJSON()) and answers {"redirect": "/somewhere"} or
// {"error": "what went wrong"}. A 401 that names a redirect (the sign-in is too old for a
// sensitive change, or has expired) sends the page there instead of showing an error.
// What the script says comes from the page, in the reader's language: each block carries
// data-msg-unsupported, -failed ("{status}" is replaced), -duplicate and -retry. The English
// here only covers a page that forgot them.
"use strict";
(function () {
  const texts = (document.querySelector("[data-passkey]") || { dataset: {} }).dataset;
  function text(name, english) { return texts[name] || english; }

  if (!window.PublicKeyCredential) {
    document.querySelectorAll("[data-passkey]").forEach(function (block) {
      showError(block, text("msgUnsupported", "This browser cannot use passkeys."));
    });
    return;
  }

  function toBase64URL(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64URL(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const raw = atob(base64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  // Browsers without PublicKeyCredential.parse…FromJSON / toJSON (before 2024) get the same
  // conversion by hand.
  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return Object.assign({}, json, {
      challenge: fromBase64URL(json.challenge),
      user: Object.assign({}, json.user, { id: fromBase64URL(json.user.id) }),
      excludeCredentials: (json.excludeCredentials || []).map(function (c) { return Object.assign({}, c, { id: fromBase64URL(c.id) }); })
    });
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return Object.assign({}, json, {
      challenge: fromBase64URL(json.challenge),
      allowCredentials: (json.allowCredentials || []).map(function (c) { return Object.assign({}, c, { id: fromBase64URL(c.id) }); })
    });
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toBase64URL(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64URL(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64URL(r.authenticatorData);
      response.signature = toBase64URL(r.signature);
      if (r.userHandle) response.userHandle = toBase64URL(r.userHandle);
    }
    return { id: credential.id, rawId: toBase64URL(credential.rawId), type: credential.type, response: response,
             clientExtensionResults: credential.getClientExtensionResults(), authenticatorAttachment: credential.authenticatorAttachment };
  }

  function csrfToken() {
    const field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body || {})
    });
    let answer = {};
    try { answer = await response.json(); } catch (ignored) { /* an HTML error page */ }
    if (response.status === 401 && answer.redirect) {
      window.location.assign(answer.redirect);
      return new Promise(function () {});  // the page is going away
    }
    if (!response.ok) throw new Error(answer.error || text("msgFailed", "Something went wrong ({status}). Please reload the page.").replace("{status}", String(response.status)));
    return answer;
  }

  function showError(block, message) {
    const box = block.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  // The person closing the browser's dialog is not an error worth a red message.
  function describe(error) {
    if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) return "";
    if (error && error.name === "InvalidStateError") return text("msgDuplicate", "This device already has a passkey for your account.");
    return (error && error.message) || text("msgRetry", "That did not work. Please try again.");
  }

  function withNext(url) {
    const next = document.querySelector('input[name="next"]');
    return next && next.value ? url + "?next=" + encodeURIComponent(next.value) : url;
  }

  async function register(button) {
    const options = await post(button.dataset.options);
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    const nameField = document.getElementById("passkey-new-name");
    const name = nameField && nameField.value.trim();
    const url = button.dataset.finish + (name ? "?name=" + encodeURIComponent(name) : "");
    return post(url, credentialJSON(credential));
  }

  async function authenticate(button, mediation, signal) {
    const options = await post(button.dataset.options);
    const request = { publicKey: requestOptions(options) };
    if (mediation) request.mediation = mediation;
    if (signal) request.signal = signal;
    const credential = await navigator.credentials.get(request);
    return post(withNext(button.dataset.finish), credentialJSON(credential));
  }

  let conditional = null;

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    const kind = block.dataset.passkey;
    const button = block.querySelector("button[data-options]");
    if (!button) return;
    button.addEventListener("click", async function () {
      showError(block, "");
      button.disabled = true;
      // Only one credentials.get may run at a time: the autofill request yields to the button.
      if (conditional) { conditional.abort(); conditional = null; }
      try {
        const answer = kind === "register" ? await register(button) : await authenticate(button);
        window.location.assign(answer.redirect);
      } catch (error) {
        showError(block, describe(error));
      } finally {
        button.disabled = false;
      }
    });
    // Sign-in page: offer passkeys in the username field's autofill as well.
    if (kind === "sign-in" && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(async function (available) {
        if (!available) return;
        conditional = new AbortController();
        try {
          const answer = await authenticate(button, "conditional", conditional.signal);
          window.location.assign(answer.redirect);
        } catch (error) {
          showError(block, describe(error));
        }
      });
    }
  });
})();
