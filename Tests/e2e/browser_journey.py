#!/usr/bin/env python3
"""One person's whole journey through the site in a real browser (headless Chromium).

Signs up with a password and verifies the address with the code the site mailed (read from the
SMTP server's mailbox), signs out and in with the password, forgets it: asks for a reset link by
email address, opens the mailed link, sets a new password, is told by mail that it changed, and
signs in with the email address and the new password (the old one no longer works, nor the used
link). Then connects the sibling provider (signing in there and consenting), sees and
disconnects it, signs out, signs in with the sibling alone (which creates a second account,
because the provider user's email differs from the local one's), then, as the administrator,
finds that account in the console and sees its linked account. Back as the first person, adds a
passkey (Chromium's virtual authenticator), signs in with it alone, turns on an authenticator
app (codes computed here, RFC 6238) and signs in with the password and a code, and reads the
account page in German (the footer's switcher) and the provider's sign-in page in German (by
Accept-Language), then switches back. Every page visited is
checked at 1280x800 and 390x844 (no wider than the screen, no serious or
critical axe-core violation) and screenshotted at both sizes into SCREENSHOT_DIR, disconnecting
goes through its confirmation page, and every request the browser makes must go to the site's or
the provider's own origin. Every mail must have come over TLS with the run's SMTP login, as
multipart/alternative (text and HTML) with a Message-ID, the configured From and the person's
address, and none may arrive that the journey did not expect.

Environment: SITE_URL, PROVIDER_URL, SCREENSHOT_DIR, LOCAL_USERNAME, LOCAL_EMAIL, LOCAL_PASSWORD,
LOCAL_NEW_PASSWORD, SIBLING_USERNAME, SIBLING_PASSWORD, ADMIN_USERNAME, ADMIN_PASSWORD, MAILBOX
(mail_server.py's folder), MAIL_FROM_NAME and MAIL_FROM_ADDRESS (what EMAIL_FROM says),
SMTP_USER (the login the site must use), and optionally MAIL_RECORD (where to write every code
and reset token read from mail, for the no-secrets check), TAP_RECORD (the token relay's record,
to check no page shows a token) and BROWSER_RECORD (where to write the session cookies seen, for
the no-secrets check). Chromium and chromedriver come from /usr/bin (CHROMIUM, CHROMEDRIVER
override); Selenium Manager is never asked to download anything.

The last line printed is 'N passed, M failed'; the exit status is non-zero when M > 0.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
import traceback

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not reach the internet.

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402

from mail_inbox import Inbox  # noqa: E402

SITE = os.environ["SITE_URL"].rstrip("/")
PROVIDER = os.environ["PROVIDER_URL"].rstrip("/")
SHOTS = os.environ["SCREENSHOT_DIR"]
LOCAL = (os.environ["LOCAL_USERNAME"], os.environ["LOCAL_EMAIL"], os.environ["LOCAL_PASSWORD"])
LOCAL_NEW_PASSWORD = os.environ["LOCAL_NEW_PASSWORD"]
NEW_EMAIL = "moved-" + LOCAL[1]
MAILBOX = os.environ["MAILBOX"]
MAIL_FROM = (os.environ["MAIL_FROM_NAME"], os.environ["MAIL_FROM_ADDRESS"])
SMTP_USER = os.environ["SMTP_USER"]
MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "90"))  # an upper bound for waiting, not a requirement
SIBLING = (os.environ["SIBLING_USERNAME"], os.environ["SIBLING_PASSWORD"])
ADMIN = (os.environ["ADMIN_USERNAME"], os.environ["ADMIN_PASSWORD"])
SIBLING_NAME = os.environ.get("SIBLING_NAME", "Latchkey ID")
OWN_ORIGINS = (SITE + "/", PROVIDER + "/")
# Every page is checked and photographed at both sizes; the desktop one comes last, so the
# journey goes on at desktop size.
VIEWPORTS = ((390, 844, "phone"), (1280, 800, "desktop"))


def axe_source():
    """axe-core's script (4.12), as shipped by the PyPI package axe-playwright-python, installed
    without its Playwright dependency: only the script is used, here through Selenium. (The axe
    in axe-selenium-python is too old to know the `webauthn` autocomplete token that passkey
    autofill needs.) AXE_SCRIPT overrides."""
    path = os.environ.get("AXE_SCRIPT")
    if not path:
        import importlib.util
        package = importlib.util.find_spec("axe_playwright_python")  # found, not imported: Playwright is absent
        if package is None:
            raise SystemExit("axe-playwright-python is not installed (Tests/e2e/run.sh installs it)")
        path = os.path.join(package.submodule_search_locations[0], "axe.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


AXE_SOURCE = axe_source()


def totp(secret_base32, at=None, step=30):
    """RFC 6238 (HMAC-SHA1, 6 digits): what an authenticator app shows for the secret."""
    key = base64.b32decode(secret_base32.replace(" ", "").upper() + "=" * (-len(secret_base32.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


class Journey:
    def __init__(self, driver):
        self.driver = driver
        self.passed = 0
        self.failed = 0
        self.shot_number = 0
        self.pages = []          # (url, html) of every page visited, for the token check
        self.foreign = set()     # requests to any other origin
        self.cookies = set()
        self.inbox = Inbox(MAILBOX)
        self.mail_secrets = []   # (kind, value) of every code and token read from mail

    # Checks and evidence

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}" + (f": {detail}" if detail else ""))
        return condition

    def viewport(self, width, height):
        """Emulates a screen of width x height CSS pixels (a phone below 500 px: the viewport
        meta tag applies and scroll bars overlay, as on a real phone)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})

    def accessibility(self, label, size):
        """axe-core over the page as it stands: every serious or critical violation is a failure."""
        # Loaded and run in one script, so both happen in the same document.
        violations = self.driver.execute_async_script(AXE_SOURCE + """
            ;var done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
              done(result.violations.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
                .map(function (v) { return v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(", "); }));
            }).catch(function (error) { done(["axe failed: " + error]); });""")
        self.check(f"{label} ({size}): axe-core finds nothing serious or critical", not violations, "; ".join(violations))

    def page(self, label):
        """Records the current page: at 1280x800 and at 390x844, no wider than the screen, clean
        for axe-core, and a full-height screenshot of each; its HTML, its resources and cookies."""
        d = self.driver
        WebDriverWait(d, 10).until(lambda drv: drv.execute_script("return document.readyState") == "complete")
        self.shot_number += 1
        safe = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        for width, height, size in VIEWPORTS:
            self.viewport(width, height)
            wide = d.execute_script("return document.documentElement.scrollWidth")
            self.check(f"{label} ({size}): no wider than the {width}px screen", wide <= width, f"{wide}px wide at {d.current_url}")
            self.accessibility(label, size)
            full = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
            self.viewport(width, max(height, min(int(full), 6000)))
            d.save_screenshot(os.path.join(SHOTS, f"{self.shot_number:02d}-{safe}-{size}.png"))
        self.pages.append((d.current_url, d.page_source))
        for url in d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"):
            if not url.startswith(OWN_ORIGINS):
                self.foreign.add(url)
        for element in d.find_elements(By.CSS_SELECTOR, "script[src], link[href], img[src], iframe[src]"):
            url = element.get_attribute("src") or element.get_attribute("href") or ""
            if url and not url.startswith(OWN_ORIGINS):
                self.foreign.add(url)
        for cookie in d.get_cookies():
            if cookie["name"].startswith("latchkey"):
                self.cookies.add((cookie["name"], cookie["value"]))
        return d.page_source

    def network_log(self):
        """Every request the browser sent, from Chrome's performance log (navigations included)."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if not url.startswith(OWN_ORIGINS) and not url.startswith(("data:", "about:", "chrome-error:")):
                    self.foreign.add(url)

    # Helpers

    def go(self, path, label):
        self.driver.get(SITE + path)
        return self.page(label)

    def fill(self, field_id, value):
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def follow(self, element):
        """Clicks a link or a form's button and waits until the browser has left the page: a
        click can return before the navigation commits, and a page checked meanwhile is the old
        one, which the navigation then swaps out from under the check."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 20).until(expected_conditions.staleness_of(old))

    def submit(self, css, label):
        self.follow(self.driver.find_element(By.CSS_SELECTOR, css))
        return self.page(label)

    def signed_in_as(self):
        who = self.driver.find_elements(By.CSS_SELECTOR, "header .who strong")
        return who[0].text if who else None

    def flash_text(self):
        return " ".join(e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".flash"))

    def sign_out(self, label):
        self.submit("header form[action='/logout'] button", label)

    def sign_in(self, username, password, label):
        self.go("/login", f"{label} form")
        self.fill("username", username)
        self.fill("password", password)
        return self.submit("form[action='/login'] button[type=submit]", label)

    # Mail

    def remember_secret(self, kind, value):
        self.mail_secrets.append((kind, value))

    def wait_for_mail(self, to, subject_contains, label):
        """The next mail to `to` whose subject contains `subject_contains`, checked like every
        mail the site sends (see check_mail)."""
        mail = self.inbox.wait_for_mail(to=to, subject_contains=subject_contains, timeout=MAIL_TIMEOUT)
        self.check_mail(mail, label, to)
        return mail

    def check_mail(self, mail, label, to):
        """What every mail must be: over TLS with the run's login, from EMAIL_FROM (display name
        included) to exactly `to`, with a Message-ID at the sender's domain, a Date, and both a
        text and an HTML part."""
        envelope = mail.envelope
        self.check(f"{label}: came over TLS, signed in as the run's SMTP user",
                   envelope.get("tls") is True and envelope.get("authenticated_as") == SMTP_USER,
                   f"tls={envelope.get('tls')} authenticated_as={envelope.get('authenticated_as')!r}")
        self.check(f"{label}: the envelope is from {MAIL_FROM[1]} to {to} alone",
                   envelope.get("mail_from") == MAIL_FROM[1] and mail.recipients == [to.lower()],
                   f"MAIL FROM {envelope.get('mail_from')!r}, RCPT TO {envelope.get('rcpt_tos')!r}")
        sender = mail.from_address
        self.check(f"{label}: From is {MAIL_FROM[0]} <{MAIL_FROM[1]}>",
                   sender is not None and sender.display_name == MAIL_FROM[0] and sender.addr_spec == MAIL_FROM[1],
                   repr(str(mail.message["From"])))
        self.check(f"{label}: To is the person's address", mail.to_addresses == [to.lower()], repr(str(mail.message["To"])))
        domain = MAIL_FROM[1].split("@")[1]
        self.check(f"{label}: has a Message-ID at {domain} and a Date",
                   re.fullmatch(r"<[0-9a-f]{16,}@" + re.escape(domain) + ">", mail.message_id) is not None
                   and mail.message["Date"] is not None, f"Message-ID {mail.message_id!r}, Date {mail.message['Date']!r}")
        parts = [part.get_content_type() for part in mail.message.walk()]
        self.check(f"{label}: is multipart/alternative with a text and an HTML part",
                   mail.message.get_content_type() == "multipart/alternative" and "text/plain" in parts and "text/html" in parts
                   and bool(mail.text and mail.text.strip()) and bool(mail.html and mail.html.strip()), repr(parts))

    # The journey, step by step; a step that raises stops the journey.

    def signs_up_with_a_password(self):
        username, email, password = LOCAL
        self.go("/", "home")
        self.go("/signup", "signup form")
        self.fill("username", username)
        self.fill("email", email)
        self.fill("password", password)
        self.fill("password_confirmation", password)
        self.submit("form[action='/signup'] button[type=submit]", "signed up")
        self.check("sign-up asks the person to check their email", self.driver.current_url.startswith(SITE + "/signup/verify")
                   and email in self.driver.find_element(By.ID, "content").text, self.driver.current_url)
        self.check("nobody is signed in before the code", self.signed_in_as() is None, f"nav shows {self.signed_in_as()!r}")

    def verifies_the_address_from_the_mail(self):
        username, email, _ = LOCAL
        mail = self.wait_for_mail(email, "Your Latchkey code", "verification mail")
        codes = set(re.findall(r"\b[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}\b", mail.text))
        self.check("the verification mail's text carries one code", len(codes) == 1, repr(codes))
        code = codes.pop()
        self.remember_secret("verification_code", code)
        self.remember_secret("verification_code (letters only)", code.replace("-", ""))
        self.check("the HTML part and the subject carry the same code", code in mail.html and code in mail.subject)
        self.check("the mail greets the person by username", username in mail.text)
        self.fill("code", code)
        self.submit("form[action='/signup/verify'] button[type=submit]", "address verified")
        self.check("the code signs the new account in", self.signed_in_as() == username, f"nav shows {self.signed_in_as()!r}")
        self.check("the site says the address is verified", "Your email address is verified." in self.flash_text(), self.flash_text())
        self.check("the code form is gone", not self.driver.find_elements(By.ID, "verify-email"))
        self.check("no page says the address is unverified any more", "is not verified yet" not in self.flash_text(), self.flash_text())

    def signs_out_and_in_with_the_password(self):
        self.sign_out("signed out after sign-up")
        self.check("signing out leaves nobody signed in", self.signed_in_as() is None)
        self.sign_in(LOCAL[0], LOCAL[2], "signed in with password")
        self.check("the password signs in", self.signed_in_as() == LOCAL[0], f"nav shows {self.signed_in_as()!r}")

    def resets_the_forgotten_password(self):
        username, email, old_password = LOCAL
        self.sign_out("signed out before forgetting")
        self.go("/login", "login before forgetting")
        self.follow(self.driver.find_element(By.LINK_TEXT, "Forgot your password?"))
        self.page("forgot password form")
        self.check("'Forgot your password?' leads to /password/forgot", self.driver.current_url.startswith(SITE + "/password/forgot"),
                   self.driver.current_url)
        self.fill("identifier", email)
        self.submit("form[action='/password/forgot'] button[type=submit]", "reset link requested")
        self.check("the site says a link is on its way", "we have sent a link" in self.flash_text(), self.flash_text())

        mail = self.wait_for_mail(email, "Reset your Latchkey password", "reset mail")
        links = set(re.findall(r"https?://[^\s<>\"']+/password/reset\?token=[A-Za-z0-9_-]+", mail.text))
        self.check("the reset mail's text carries one link to this site", len(links) == 1 and all(l.startswith(SITE + "/") for l in links),
                   repr(links))
        link = links.pop()
        token = link.split("token=", 1)[1]
        self.remember_secret("reset_token", token)
        self.check("the HTML part links to the same page", f'href="{link}"' in mail.html)

        self.driver.get(link)
        self.page("reset form from the mailed link")
        self.check("the mailed link opens the form for the right account", f"For {username}." in self.driver.find_element(By.ID, "content").text
                   and bool(self.driver.find_elements(By.ID, "new_password")), self.driver.current_url)
        self.fill("new_password", LOCAL_NEW_PASSWORD)
        self.fill("new_password_confirmation", LOCAL_NEW_PASSWORD)
        self.submit("form[action='/password/reset'] button[type=submit]", "new password set")
        self.check("setting the new password leads to sign-in, signed out",
                   self.driver.current_url.startswith(SITE + "/login") and self.signed_in_as() is None, self.driver.current_url)

        notice = self.wait_for_mail(email, "password was changed", "password-changed notice")
        self.check("the notice says the password changed through a reset link", "through a reset link" in notice.text, notice.text)

        self.driver.get(link)
        self.page("used reset link")
        self.check("the mailed link works once", "This link has expired, was already used" in self.driver.page_source
                   and not self.driver.find_elements(By.ID, "new_password"))

        self.sign_in(email, old_password, "old password refused")
        self.check("the old password no longer signs in", self.signed_in_as() is None
                   and bool(self.driver.find_elements(By.CSS_SELECTOR, ".flash.error")), f"nav shows {self.signed_in_as()!r}")
        self.sign_in(email, LOCAL_NEW_PASSWORD, "signed in with email and new password")
        self.check("the email address and the new password sign in", self.signed_in_as() == username,
                   f"nav shows {self.signed_in_as()!r}, flash {self.flash_text()!r}")

    def changes_the_address(self):
        username, old_email, _ = LOCAL
        new_email = NEW_EMAIL
        self.go("/account", "account before the move")
        self.fill("new_email", new_email)
        self.fill("email_password", LOCAL_NEW_PASSWORD)
        self.submit("form[action='/account/email'] button[type=submit]", "code sent to the new address")
        self.check("the page asks for the new address's code and keeps the old one meanwhile",
                   f"We sent a code to {new_email}" in self.flash_text() and old_email in self.driver.find_element(By.ID, "content").text,
                   self.flash_text())
        mail = self.wait_for_mail(new_email, "Your Latchkey code", "code to the new address")
        codes = set(re.findall(r"\b[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}\b", mail.text))
        self.check("the new address gets one code", len(codes) == 1, repr(codes))
        code = codes.pop()
        self.remember_secret("verification_code", code)
        self.remember_secret("verification_code (letters only)", code.replace("-", ""))
        self.fill("email_code", code)
        self.submit("form[action='/account/email/verify'] button[type=submit]", "address changed")
        self.check("the site says the address changed", f"Your email address is now {new_email}." in self.flash_text(), self.flash_text())
        notice = self.wait_for_mail(old_email, "address was changed", "notice to the old address")
        self.check("the old address is told of the move", "was just changed from this address" in notice.text, notice.text)
        self.sign_out("signed out after the move")
        self.sign_in(new_email, LOCAL_NEW_PASSWORD, "signed in with the new address")
        self.check("the new address signs in", self.signed_in_as() == username, f"nav shows {self.signed_in_as()!r}")

    def connects_the_sibling(self):
        self.go("/account", "account before connecting")
        self.check("the account page offers to connect the sibling",
                   bool(self.driver.find_elements(By.XPATH, f"//button[normalize-space()='Connect {SIBLING_NAME}']")))
        self.follow(self.driver.find_element(By.XPATH, f"//button[normalize-space()='Connect {SIBLING_NAME}']"))
        self.page("provider sign-in")
        self.check("connecting sends the browser to the provider's sign-in", self.driver.current_url.startswith(PROVIDER + "/login"),
                   self.driver.current_url)
        self.fill("username", SIBLING[0])
        self.fill("password", SIBLING[1])
        self.submit("form[action='/login'] button[type=submit]", "provider consent")
        self.check("the provider asks for consent", self.driver.current_url.startswith(PROVIDER + "/oauth/authorize")
                   and bool(self.driver.find_elements(By.CSS_SELECTOR, "button[name=decision][value=allow]")), self.driver.current_url)
        self.submit("button[name=decision][value=allow]", "connected")
        self.check("allowing returns to the account page", self.driver.current_url.startswith(SITE + "/account"), self.driver.current_url)
        self.check("the site confirms the connection", f"{SIBLING_NAME} is now connected" in self.flash_text(), self.flash_text())
        rows = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "#content table tbody tr")]
        self.check("the linked accounts table lists the sibling account",
                   any(SIBLING_NAME in r and SIBLING[0] in r for r in rows), repr(rows))
        notice = self.wait_for_mail(NEW_EMAIL, "was connected", "connected notice")
        self.check("the owner is told a sign-in method was connected", f"{SIBLING_NAME} was just connected" in notice.text, notice.text)

    def disconnects_the_sibling(self):
        """A destructive action, through its confirmation page (no JavaScript needed)."""
        self.submit(f"button[aria-label='Disconnect {SIBLING_NAME}']", "disconnect confirmation")
        self.check("disconnecting asks first", f"Disconnect {SIBLING_NAME}?" in self.driver.page_source
                   and "You can no longer sign in with this" in self.driver.page_source, self.driver.current_url)
        self.check("nothing is disconnected before the answer", "No linked accounts yet." not in self.driver.page_source)
        self.submit(".confirm form button[type=submit]", "disconnected")
        self.check("the site confirms the disconnection", f"{SIBLING_NAME} has been disconnected" in self.flash_text(), self.flash_text())
        self.check("no linked account is left", "No linked accounts yet." in self.driver.page_source)
        notice = self.wait_for_mail(NEW_EMAIL, "was disconnected", "disconnected notice")
        self.check("the owner is told a sign-in method was disconnected", f"{SIBLING_NAME} was just disconnected" in notice.text, notice.text)

    def signs_in_with_the_sibling_alone(self):
        self.sign_out("signed out before sibling sign-in")
        self.go("/login", "login with provider button")
        self.follow(self.driver.find_element(By.XPATH, f"//button[normalize-space()='Continue with {SIBLING_NAME}']"))
        self.page("signed in with sibling")
        # The provider session and the consent are remembered, so the provider sends us straight back.
        self.check("the sibling alone signs in, to a new account", self.signed_in_as() == SIBLING[0],
                   f"at {self.driver.current_url}, nav shows {self.signed_in_as()!r}, flash {self.flash_text()!r}")
        self.check("the site says the account was created with the sibling", "created with " + SIBLING_NAME in self.flash_text(),
                   self.flash_text())
        self.go("/account", "sibling account page")
        rows = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "#content table tbody tr")]
        self.check("the new account lists its sibling link", any(SIBLING_NAME in r for r in rows), repr(rows))

    def admin_finds_the_sibling_user(self):
        self.sign_out("signed out before admin")
        self.sign_in(ADMIN[0], ADMIN[1], "admin signed in")
        self.check("the administrator signs in", self.signed_in_as() == ADMIN[0], f"nav shows {self.signed_in_as()!r}")
        self.go("/admin", "admin dashboard")
        self.check("the admin console opens", self.driver.current_url.startswith(SITE + "/admin") and "Dashboard" in self.driver.page_source)
        self.go("/admin/users", "admin users")
        self.fill("q", SIBLING[0])
        self.submit("form.search button[type=submit]", "admin user search")
        links = self.driver.find_elements(By.XPATH, f"//table//a[normalize-space()='{SIBLING[0]}']")
        self.check("searching the users list finds the sibling user", len(links) == 1, f"{len(links)} matching links")
        row = links[0].find_element(By.XPATH, "./ancestor::tr").text
        self.check("the users list shows the user's linked provider", SIBLING_NAME in row, row)
        self.follow(links[0])
        self.page("admin user detail")
        accounts = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=accounts-heading] tbody tr")]
        self.check("the user's page shows the linked sibling account",
                   any(SIBLING_NAME in r and SIBLING[0] in r and "active" in r for r in accounts), repr(accounts))

    def adds_a_passkey_and_signs_in_with_it_alone(self):
        """Chromium's virtual authenticator (CTAP2, built in, user verification) stands in for
        a phone or a laptop's fingerprint reader."""
        username = LOCAL[0]
        self.sign_out("signed out before passkeys")
        self.sign_in(NEW_EMAIL, LOCAL_NEW_PASSWORD, "signed in to add a passkey")
        self.driver.execute_cdp_cmd("WebAuthn.enable", {"enableUI": False})
        self.authenticator = self.driver.execute_cdp_cmd("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
        self.go("/account", "account before adding a passkey")
        self.fill("passkey-new-name", "Virtual authenticator")
        self.driver.find_element(By.ID, "passkey-add").click()
        WebDriverWait(self.driver, 20).until(expected_conditions.url_contains("/account/recovery-codes"))
        self.page("recovery codes after the first passkey")
        codes = self.driver.find_elements(By.CSS_SELECTOR, "[data-recovery-codes] code")
        self.check("the first passkey comes with ten recovery codes, shown once", len(codes) == 10, f"{len(codes)} codes")
        self.go("/account", "account with a passkey")
        self.check("the account page lists the passkey",
                   bool(self.driver.find_elements(By.CSS_SELECTOR, "input[value='Virtual authenticator']")))
        notice = self.wait_for_mail(NEW_EMAIL, "passkey was added", "passkey-added notice")
        self.check("the owner is told a passkey was added", "Virtual authenticator" in notice.text, notice.text)
        self.sign_out("signed out before passkey sign-in")
        # The sign-in page asks for a passkey through the username field's autofill at once
        # (conditional mediation), which the virtual authenticator answers by itself; where
        # the browser does not, the button does it.
        self.go("/login", "login with a passkey")
        try:
            WebDriverWait(self.driver, 5).until(lambda d: d.current_url.startswith(SITE + "/account"))
            how = "the username field's autofill"
        except TimeoutException:
            self.driver.find_element(By.XPATH, "//button[normalize-space()='Sign in with a passkey']").click()
            how = "the button"
        WebDriverWait(self.driver, 20).until(lambda d: d.current_url.startswith(SITE + "/account"))
        self.page("signed in with the passkey alone")
        self.check(f"the passkey alone signs in (through {how})", self.signed_in_as() == username,
                   f"at {self.driver.current_url}, nav shows {self.signed_in_as()!r}, flash {self.flash_text()!r}")
        self.check("the site says a passkey signed in", "with a passkey" in self.flash_text(), self.flash_text())
        # A passkey alone needs user verification: with it off, the autofill gets nothing and the
        # password leads to the second step, whose "Use a passkey" button then finishes.
        self.sign_out("signed out before password and passkey")
        self.driver.execute_cdp_cmd("WebAuthn.setUserVerified", {"authenticatorId": self.authenticator, "isUserVerified": False})
        self.sign_in(NEW_EMAIL, LOCAL_NEW_PASSWORD, "password before the passkey")
        self.check("with a passkey on the account, the password leads to a second step, not signed in",
                   self.signed_in_as() is None and self.driver.current_url.startswith(SITE + "/login/second-factor"),
                   f"at {self.driver.current_url}, nav shows {self.signed_in_as()!r}")
        self.driver.execute_cdp_cmd("WebAuthn.setUserVerified", {"authenticatorId": self.authenticator, "isUserVerified": True})
        self.driver.find_element(By.XPATH, "//button[normalize-space()='Use a passkey']").click()
        WebDriverWait(self.driver, 20).until(lambda d: d.current_url.startswith(SITE + "/account"))
        self.page("signed in with password and passkey")
        self.check("the password and then the passkey sign in", self.signed_in_as() == username,
                   f"at {self.driver.current_url}, nav shows {self.signed_in_as()!r}, flash {self.flash_text()!r}")
        # Without it, every later visit to the sign-in page would sign in with the passkey.
        self.driver.execute_cdp_cmd("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator})

    def turns_on_the_app_and_signs_in_with_a_code(self):
        username = LOCAL[0]
        self.go("/account", "account before the app")
        self.submit("form[action='/account/totp'] button[type=submit]", "authenticator app set-up")
        secret = self.driver.find_element(By.CSS_SELECTOR, "[data-totp-secret]").text
        self.check("the set-up page shows a QR code and the secret",
                   bool(self.driver.find_elements(By.CSS_SELECTOR, ".qr svg")) and len(secret.replace(" ", "")) == 32, secret)
        self.fill("code", totp(secret))
        self.submit("form[action='/account/totp/confirm'] button[type=submit]", "authenticator app on")
        self.check("a right first code turns the app on", "Your authenticator app is on" in self.flash_text(), self.flash_text())
        self.wait_for_mail(NEW_EMAIL, "Two-step sign-in is on", "app-enabled notice")
        self.sign_out("signed out before the app code")
        # Each code works once: wait for the app's next one.
        time.sleep(30 - time.time() % 30 + 1)
        self.sign_in(NEW_EMAIL, LOCAL_NEW_PASSWORD, "password before the app code")
        self.check("the password alone no longer signs in", self.signed_in_as() is None
                   and self.driver.current_url.startswith(SITE + "/login/second-factor"), self.driver.current_url)
        self.fill("otp", totp(secret))
        self.submit("form[action='/login/second-factor'] button[type=submit]", "signed in with the app code")
        self.check("the password and an app code sign in", self.signed_in_as() == username,
                   f"at {self.driver.current_url}, nav shows {self.signed_in_as()!r}, flash {self.flash_text()!r}")

    def reads_pages_in_german(self):
        """The footer's switcher turns the site German and a cookie keeps it so; the provider
        follows the browser's Accept-Language."""
        d = self.driver
        self.go("/account", "account page before switching language")
        self.follow(d.find_element(By.CSS_SELECTOR, "footer a[hreflang='de']"))
        self.page("account page in German")
        lang = lambda: d.execute_script("return document.documentElement.lang")
        self.check("the switcher shows the page in German", lang() == "de" and d.current_url == SITE + "/account",
                   f"lang={lang()!r} at {d.current_url}")
        sign_out = d.find_element(By.CSS_SELECTOR, "header form[action='/logout'] button").text
        self.check("the German page says Abmelden, not Sign out", sign_out == "Abmelden", repr(sign_out))
        self.go("/account", "account page again in German")
        self.check("the choice is remembered on the next page", lang() == "de", repr(lang()))
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "de-DE,de;q=0.9"}})
        try:
            d.get(PROVIDER + "/login")
            self.page("provider sign-in page in German")
            heading = d.find_element(By.TAG_NAME, "h1").text
            self.check("the provider answers Accept-Language: de in German", lang() == "de" and "Sign in" not in heading,
                       f"lang={lang()!r}, heading {heading!r}")
        finally:
            d.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
        self.go("/account", "account page, German, before switching back")
        self.follow(d.find_element(By.CSS_SELECTOR, "footer a[hreflang='en']"))
        self.page("account page back in English")
        self.check("the switcher turns the site back to English", lang() == "en", repr(lang()))

    def run(self):
        steps = [self.signs_up_with_a_password, self.verifies_the_address_from_the_mail, self.signs_out_and_in_with_the_password,
                 self.resets_the_forgotten_password, self.changes_the_address, self.connects_the_sibling, self.disconnects_the_sibling,
                 self.signs_in_with_the_sibling_alone, self.admin_finds_the_sibling_user, self.adds_a_passkey_and_signs_in_with_it_alone,
                 self.turns_on_the_app_and_signs_in_with_a_code, self.reads_pages_in_german]
        for index, step in enumerate(steps):
            try:
                step()
            except Exception as error:  # noqa: BLE001 -- any failure stops the journey, with evidence
                self.check(step.__name__.replace("_", " "), False, f"{type(error).__name__}: {error}".strip())
                traceback.print_exc(file=sys.stdout)
                try:
                    self.page(f"failure in {step.__name__}")
                except Exception:  # noqa: BLE001
                    pass
                for later in steps[index + 1:]:
                    self.check(later.__name__.replace("_", " ") + " (not run)", False)
                break
        self.network_log()
        self.check("every request stays on the site's or the provider's origin", not self.foreign, ", ".join(sorted(self.foreign)))
        self.check_no_page_shows_a_token()
        self.check_the_mailbox()
        record = os.environ.get("MAIL_RECORD")
        if record:
            with open(record, "w", encoding="utf-8") as f:
                for kind, value in self.mail_secrets:
                    f.write(json.dumps({"kind": kind, "value": value}) + "\n")
        record = os.environ.get("BROWSER_RECORD")
        if record:
            with open(record, "w", encoding="utf-8") as f:
                for name, value in sorted(self.cookies):
                    f.write(json.dumps({"kind": "cookie " + name, "value": value}) + "\n")

    def check_the_mailbox(self):
        violations = self.inbox.violations()
        self.check("no client skipped STARTTLS or AUTH at the mail server", not violations, "; ".join(violations))
        unexpected = self.inbox.not_handed_out()
        self.check("no mail arrived that the journey did not expect", not unexpected,
                   ", ".join(f"{m.recipients} {m.subject.split(':')[0]!r}" for m in unexpected))

    def check_no_page_shows_a_token(self):
        record = os.environ.get("TAP_RECORD")
        if not record or not os.path.exists(record):
            return
        with open(record, encoding="utf-8") as f:
            tokens = [json.loads(line)["value"] for line in f if '"access_token"' in line or '"refresh_token"' in line]
        shown = [url for url, html in self.pages for token in tokens if token in html]
        self.check(f"no page shows any of the {len(tokens)} provider tokens", tokens and not shown, ", ".join(shown) or "no tokens recorded")


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                     "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
                     "--disable-sync", "--no-first-run", "--disable-extensions", "--metrics-recording-only",
                     "--password-store=basic", "--disable-features=PasswordLeakDetection,OptimizationHints,Translate"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(60)  # axe-core on a long page
    return driver


def main():
    os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    journey = Journey(driver)
    try:
        journey.run()
    finally:
        driver.quit()
    print(f"{journey.passed} passed, {journey.failed} failed")
    sys.exit(1 if journey.failed else 0)


if __name__ == "__main__":
    main()
