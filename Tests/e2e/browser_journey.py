#!/usr/bin/env python3
"""One person's whole journey through the site in a real browser (headless Chromium).

Signs up and in with a password, connects the sibling provider (signing in there and
consenting), sees and disconnects it, signs out, signs in with the sibling alone (which creates
a second account, because the provider user's email differs from the local one's), then, as
the administrator, finds that account in the console and sees its linked account. Every page
visited is screenshotted into SCREENSHOT_DIR, and every request the browser makes must go to the
site's or the provider's own origin.

Environment: SITE_URL, PROVIDER_URL, SCREENSHOT_DIR, LOCAL_USERNAME, LOCAL_EMAIL, LOCAL_PASSWORD,
SIBLING_USERNAME, SIBLING_PASSWORD, ADMIN_USERNAME, ADMIN_PASSWORD, and optionally TAP_RECORD
(the token relay's record, to check no page shows a token) and BROWSER_RECORD (where to write
the session cookies seen, for the no-secrets check). Chromium and chromedriver come from
/usr/bin (CHROMIUM, CHROMEDRIVER override); Selenium Manager is never asked to download anything.

The last line printed is 'N passed, M failed'; the exit status is non-zero when M > 0.
"""
import json
import os
import re
import sys
import traceback

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not reach the internet.

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SITE = os.environ["SITE_URL"].rstrip("/")
PROVIDER = os.environ["PROVIDER_URL"].rstrip("/")
SHOTS = os.environ["SCREENSHOT_DIR"]
LOCAL = (os.environ["LOCAL_USERNAME"], os.environ["LOCAL_EMAIL"], os.environ["LOCAL_PASSWORD"])
SIBLING = (os.environ["SIBLING_USERNAME"], os.environ["SIBLING_PASSWORD"])
ADMIN = (os.environ["ADMIN_USERNAME"], os.environ["ADMIN_PASSWORD"])
SIBLING_NAME = os.environ.get("SIBLING_NAME", "Latchkey ID")
OWN_ORIGINS = (SITE + "/", PROVIDER + "/")


class Journey:
    def __init__(self, driver):
        self.driver = driver
        self.passed = 0
        self.failed = 0
        self.shot_number = 0
        self.pages = []          # (url, html) of every page visited, for the token check
        self.foreign = set()     # requests to any other origin
        self.cookies = set()

    # Checks and evidence

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok    {name}")
        else:
            self.failed += 1
            print(f"FAIL  {name}" + (f": {detail}" if detail else ""))
        return condition

    def page(self, label):
        """Records the current page: a full-height screenshot, its HTML, its resources and cookies."""
        d = self.driver
        WebDriverWait(d, 10).until(lambda drv: drv.execute_script("return document.readyState") == "complete")
        self.shot_number += 1
        height = d.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        d.set_window_size(1280, max(800, min(int(height) + 40, 4000)))
        safe = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        d.save_screenshot(os.path.join(SHOTS, f"{self.shot_number:02d}-{safe}.png"))
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

    def submit(self, css, label):
        self.driver.find_element(By.CSS_SELECTOR, css).click()
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
        self.check("sign-up signs the new account in", self.signed_in_as() == username, f"nav shows {self.signed_in_as()!r}")

    def signs_out_and_in_with_the_password(self):
        self.sign_out("signed out after sign-up")
        self.check("signing out leaves nobody signed in", self.signed_in_as() is None)
        self.sign_in(LOCAL[0], LOCAL[2], "signed in with password")
        self.check("the password signs in", self.signed_in_as() == LOCAL[0], f"nav shows {self.signed_in_as()!r}")

    def connects_the_sibling(self):
        self.go("/account", "account before connecting")
        self.check("the account page offers to connect the sibling",
                   bool(self.driver.find_elements(By.XPATH, f"//button[normalize-space()='Connect {SIBLING_NAME}']")))
        self.driver.find_element(By.XPATH, f"//button[normalize-space()='Connect {SIBLING_NAME}']").click()
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

    def disconnects_the_sibling(self):
        self.submit(f"button[aria-label='Disconnect {SIBLING_NAME}']", "disconnected")
        self.check("the site confirms the disconnection", f"{SIBLING_NAME} has been disconnected" in self.flash_text(), self.flash_text())
        self.check("no linked account is left", "No linked accounts yet." in self.driver.page_source)

    def signs_in_with_the_sibling_alone(self):
        self.sign_out("signed out before sibling sign-in")
        self.go("/login", "login with provider button")
        self.driver.find_element(By.XPATH, f"//button[normalize-space()='Continue with {SIBLING_NAME}']").click()
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
        links[0].click()
        self.page("admin user detail")
        accounts = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=accounts-heading] tbody tr")]
        self.check("the user's page shows the linked sibling account",
                   any(SIBLING_NAME in r and SIBLING[0] in r and "active" in r for r in accounts), repr(accounts))

    def run(self):
        steps = [self.signs_up_with_a_password, self.signs_out_and_in_with_the_password, self.connects_the_sibling,
                 self.disconnects_the_sibling, self.signs_in_with_the_sibling_alone, self.admin_finds_the_sibling_user]
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
        record = os.environ.get("BROWSER_RECORD")
        if record:
            with open(record, "w", encoding="utf-8") as f:
                for name, value in sorted(self.cookies):
                    f.write(json.dumps({"kind": "cookie " + name, "value": value}) + "\n")

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
