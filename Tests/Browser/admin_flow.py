#!/usr/bin/env python3
"""Drives the admin page in headless Chromium (Selenium, the system chromedriver) and prints one line per step.

Each scenario needs a running Hookwork server; the Swift test that starts it passes the URL, the admin token and the
records it stored. A failing step prints its reason, saves a screenshot named failure-<scenario>.png and exits 1.
"""
import argparse
import base64
import json
import os
import shutil
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

# The seed's "bot not responding for 60 s" continuous chat webhook (seed/webhooks.txt), as the form builds it.
BOT_NOT_RESPONDING = [
    {"type": "3", "attr": "{args.chat.status}", "condition": "eq", "value": "5", "logic": "and"},
    {"type": "3", "attr": "{args.chat.last_user_msg_time}", "condition": "lt", "value": "{time}-60", "logic": "or"},
    {"type": "3", "attr": "{args.chat.last_msg.time}", "condition": "lt", "value": "{time}-60", "logic": "and"},
    {"type": "3", "attr": "{args.chat.status_sub}", "condition": "neq", "value": "3", "logic": "and"},
    {"type": "3", "attr": "{args.chat.lsync}", "condition": "gt", "value": "{time}-120", "logic": "and"},
    {"type": "3", "attr": "{args.chat.last_msg.user_id}", "condition": "eq", "value": "0", "logic": "and"},
]


class StepFailed(Exception):
    pass


class Flow:
    def __init__(self, args):
        self.base = args.base_url.rstrip("/")
        self.token = args.token
        self.shots = args.screenshots
        self.scenario = args.scenario
        self.args = args
        os.makedirs(self.shots, exist_ok=True)
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                     "--lang=en-GB", "--force-device-scale-factor=1"):
            options.add_argument(flag)
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if binary:
            options.binary_location = binary
        driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
        self.driver = webdriver.Chrome(service=Service(driver_path), options=options)
        self.driver.set_window_size(1280, 900)

    # --- helpers -----------------------------------------------------------------------------------------------------

    def step(self, text):
        print(f"step: {text}", flush=True)

    def wait(self, css, timeout=10, visible=True):
        condition = EC.visibility_of_element_located if visible else EC.presence_of_element_located
        try:
            return WebDriverWait(self.driver, timeout).until(condition((By.CSS_SELECTOR, css)))
        except TimeoutException:
            raise StepFailed(f"nothing matching {css!r} appeared within {timeout} s")

    def wait_for(self, predicate, what, timeout=10):
        # A page that draws itself again (after a save, an enable) replaces the element a predicate just found: try again.
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(lambda _: predicate())
        except TimeoutException:
            raise StepFailed(f"{what} did not happen within {timeout} s")

    def testid(self, name, timeout=10):
        return self.wait(f'[data-testid="{name}"]', timeout)

    def by_id(self, element_id, timeout=10):
        return self.wait(f"#{element_id}", timeout)

    def label_for(self, text, scope=None):
        """The input whose <label> reads `text`, through the label's `for` (the page ties every label to its input)."""
        root = scope or self.driver

        def find():
            for label in root.find_elements(By.TAG_NAME, "label"):
                if label.text.strip() == text and label.get_attribute("for"):
                    return self.driver.find_element(By.ID, label.get_attribute("for"))
            return None

        return self.wait_for(find, f"a field labelled {text!r}")

    def type(self, element, text):
        element.clear()
        element.send_keys(text)

    def choose(self, element, value):
        Select(element).select_by_value(str(value))

    def go(self, hash_route):
        self.driver.get(f"{self.base}/{hash_route}")

    def api(self, method, path, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + (token or self.token))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text else None)

    def shot(self, name):
        """A full-page PNG: the window grows to the page's height for the picture."""
        height = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
        self.driver.set_window_size(1280, min(max(900, height + 40), 4000))
        self.driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur(); "
                                   "document.getElementById('toast')?.classList.remove('shown')")
        time.sleep(0.3)
        path = os.path.join(self.shots, name + ".png")
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        self.step(f"screenshot {path}")

    def sign_in(self):
        self.go("#/dashboard")
        self.type(self.testid("token"), self.token)
        self.testid("sign-in").click()
        self.testid("sign-out")
        self.wait_for(lambda: self.driver.find_element(By.ID, "nav").is_displayed(), "the navigation showing")

    def save_and_wait_for_route(self, button, prefix):
        before = self.driver.execute_script("return location.hash")
        self.testid(button).click()
        self.wait_for(lambda: self.driver.execute_script("return location.hash").startswith(prefix)
                      and self.driver.execute_script("return location.hash") != before, f"the page moving to {prefix}N")
        return int(self.driver.execute_script("return location.hash").rsplit("/", 1)[1])

    def error_beside(self, field):
        return self.wait_for(lambda: self.driver.find_element(By.CSS_SELECTOR, f'.field-error[data-error-for="{field}"]').text.strip(),
                             f"an error beside {field}")

    def form_error(self, form):
        """The text of the form's error slots, or None while they are empty."""
        texts = [element.text.strip() for element in self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{form}"] .field-error, [data-testid="{form}"] .form-error')]
        return " ".join(text for text in texts if text) or None

    def answer_in(self, form, testid):
        """The text of `testid` once it shows; a StepFailed with the form's error if the form reports one instead."""
        found = self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')
        if found and found[0].text.strip():
            return found[0].text
        error = self.form_error(form)
        if error:
            raise StepFailed(f"the page answered with an error: {error}")
        return None

    def wait_or_error(self, css, timeout=15):
        """The element matching `css` once it shows; a StepFailed at once if the page reports an error instead."""
        def find():
            found = [element for element in self.driver.find_elements(By.CSS_SELECTOR, css) if element.is_displayed()]
            if found:
                return found[0]
            errors = [element.text.strip() for element in self.driver.find_elements(
                By.CSS_SELECTOR, '[data-testid="load-error"], .form-error, .field-error') if element.is_displayed() and element.text.strip()]
            if errors:
                raise StepFailed("the page answered with an error: " + " | ".join(errors))
            return None
        return self.wait_for(find, f"{css!r} showing", timeout)

    # --- scenarios ---------------------------------------------------------------------------------------------------

    def core(self):
        """Sign in and out; Rest API, trigger and webhook forms; a validation error beside its field; enable, edit, delete."""
        self.step("open the page: the sign-in form shows")
        self.driver.get(self.base + "/")
        self.testid("sign-in-form")
        self.shot("01-sign-in")

        self.step("a wrong token is refused with a message")
        self.type(self.testid("token"), "not-the-token")
        self.testid("sign-in").click()
        message = self.wait_for(lambda: self.testid("sign-in-error").text.strip(), "the sign-in error")
        if "token" not in message.lower():
            raise StepFailed(f"unexpected sign-in error: {message}")

        self.step("sign in with the admin token")
        self.type(self.testid("token"), self.token)
        self.testid("sign-in").click()
        self.testid("sign-out")
        self.shot("02-dashboard")

        self.step("a second tab of the same browser is signed in too (the token is asked of the open tab, never stored)")
        first = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        self.go("#/tokens")
        self.wait_or_error('[data-testid="token-table"]')
        stored = self.driver.execute_script("return Object.keys(localStorage).length")
        if stored:
            raise StepFailed(f"localStorage holds {stored} keys")
        self.step("signing out there signs the first tab out as well; sign in again")
        self.testid("sign-out").click()
        self.driver.close()
        self.driver.switch_to.window(first)
        self.testid("sign-in-form")
        self.type(self.testid("token"), self.token)
        self.testid("sign-in").click()
        self.testid("sign-out")

        self.step("Rest API form: create the receiver with one JSON POST method")
        self.go("#/rest-apis/new")
        self.type(self.label_for("Name"), "Receiver")
        self.type(self.label_for("Host"), self.args.receiver_url)
        self.testid("add-method").click()
        method = self.testid("method-0")
        self.type(self.label_for("Method id", method), "notify")
        self.type(self.label_for("Name", method), "Bot did not answer")
        self.type(self.label_for("Sub-URL", method), "/bot-silent/{{args.chat.id}}")
        self.choose(self.label_for("HTTP method", method), "POST")
        self.choose(self.label_for("Body", method), "raw")
        self.choose(self.label_for("Raw body content type", method), "json")
        self.type(self.label_for("Raw body", method), '{"chat_id": {{args.chat.id}}, "nick": {{args.chat.nick}}}')
        self.testid("method-0-header-add").click()
        self.type(self.by_id("method-0-header-0-key"), "X-Source")
        self.type(self.by_id("method-0-header-0-value"), "hookwork")
        self.shot("03-rest-api-form")
        api_id = self.save_and_wait_for_route("save-rest-api", "#/rest-apis/")
        status, api = self.api("GET", f"/api/v1/rest_apis/{api_id}")
        saved_method = api["configuration"]["parameters"][0]
        if status != 200 or saved_method["id"] != "notify" or saved_method["method"] != "POST" or saved_method["header"] != [{"key": "X-Source", "value": "hookwork"}] \
                or saved_method["body_request_type_content"] != "json" or api["configuration"]["host"] != self.args.receiver_url:
            raise StepFailed(f"the Rest API was not stored as entered: {api}")

        self.step("Rest API delivery settings: a bad retry schedule is named; retry, retry_on and a signing secret saved, the secret masked")
        self.go(f"#/rest-apis/{api_id}")
        self.type(self.label_for("Retry schedule"), "soon")
        self.testid("save-rest-api").click()
        self.step("  the retry field says: " + self.error_beside("configuration.retry"))
        self.type(self.label_for("Retry schedule"), "5, 60")
        self.type(self.label_for("Also retry these 4xx answers"), "409")
        secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
        self.type(self.testid("new-signing-secret"), secret)
        self.testid("add-signing-secret").click()
        before = self.testid("rest-api-form")
        self.testid("save-rest-api").click()
        self.wait_for(lambda: EC.staleness_of(before)(self.driver), "the form drawing itself again after the save")
        self.wait_for(lambda: "(stored)" in self.testid("signing-secret-0").text, "the stored secret shown masked")
        status, saved = self.api("GET", f"/api/v1/rest_apis/{api_id}")
        settings = saved["configuration"]
        if settings.get("retry") != [5, 60] or settings.get("retry_on") != [409] or settings.get("signing_secrets") != ["********"]:
            raise StepFailed(f"the delivery settings were stored as {settings}")
        if secret in self.driver.find_element(By.TAG_NAME, "body").get_attribute("innerHTML"):
            raise StepFailed("the secret is in the page")

        self.step("Rest API form: a host that is not a URL is refused beside the host field")
        self.type(self.label_for("Host"), "ftp://example.com")
        self.testid("save-rest-api").click()
        message = self.error_beside("configuration.host")
        self.step(f"  the host field says: {message}")
        self.type(self.label_for("Host"), self.args.receiver_url)

        self.step("the host typed back but not saved: leaving the form asks first; leave")
        self.go("#/triggers/new")
        WebDriverWait(self.driver, 5).until(EC.alert_is_present()).accept()

        self.step("trigger form: a missing name is refused beside the name field")
        self.choose(self.testid("new-action-type"), "restapi")
        self.testid("add-action").click()
        self.testid("save-trigger").click()
        self.step("  the name field says: " + self.error_beside("name"))

        self.step("trigger form: create a trigger whose action calls the method")
        self.type(self.label_for("Name"), "Tell the receiver")
        action = self.testid("action-0")
        self.choose(self.label_for("Rest API", action), api_id)
        self.choose(self.label_for("Method", action), "notify")
        self.by_id("action-0-no_body").click()
        self.shot("04-trigger-form")
        trigger_id = self.save_and_wait_for_route("save-trigger", "#/triggers/")
        status, trigger = self.api("GET", f"/api/v1/triggers/{trigger_id}")
        content = trigger["actions"][0]["content"]
        if trigger["actions"][0]["type"] != "restapi" or content["rest_api"] != api_id or content["rest_api_method"] != "notify" \
                or content["attr_options"].get("no_body") is not True:
            raise StepFailed(f"the trigger was not stored as entered: {trigger}")
        self.step("an action Hookwork saves but does not run is named under the actions after saving")
        self.wait_or_error('[data-testid="trigger-form"]')
        self.choose(self.testid("new-action-type"), "buttons")
        self.testid("add-action").click()
        self.testid("save-trigger").click()
        warning = self.wait_for(lambda: self.testid("trigger-warnings").text.strip(), "the trigger's warnings")
        if "actions[1].type" not in warning or "does not run" not in warning:
            raise StepFailed(f"the warnings read: {warning}")
        status, trigger = self.api("GET", f"/api/v1/triggers/{trigger_id}")
        self.api("PUT", f"/api/v1/triggers/{trigger_id}", {"name": trigger["name"], "actions": trigger["actions"][:1]})
        self.go("#/triggers")
        self.testid(f"trigger-row-{trigger_id}")
        self.shot("05-triggers")

        self.step("webhook form: the seed's 'bot not responding for 60 s' continuous webhook")
        self.go("#/webhooks/new")
        self.type(self.label_for("Name"), "Bot not responding for 60 s")
        self.choose(self.label_for("Type"), "1")
        self.choose(self.label_for("Execute if conditions are valid (trigger)"), trigger_id)
        self.choose(self.testid("firing-policy"), "once")
        for index, condition in enumerate(BOT_NOT_RESPONDING):
            self.testid("add-condition").click()
            row = self.testid(f"condition-{index}")
            self.choose(self.label_for("Type", row), "3")
            self.type(self.label_for("Attribute", row), condition["attr"])
            self.choose(self.label_for("Operator", row), condition["condition"])
            self.type(self.label_for("Value", row), condition["value"])
            self.choose(self.label_for("Joined to the next by", row), condition["logic"])
        logic = self.testid("conditions-logic").text
        if logic != "Holds when: 1. and ( 2. or 3. ) and 4. and 5. and 6.":
            raise StepFailed(f"the logic reads: {logic}")
        operators = [option.get_attribute("value") for option in Select(self.by_id("cond-0-condition")).options]
        if len(operators) != 15:
            raise StepFailed(f"the operator list has {len(operators)} entries, not 15: {operators}")
        kinds = [option.text for option in Select(self.by_id("cond-0-type")).options]
        if kinds != ["Compare attribute", "Visitor message contains", "Start of OR"]:
            raise StepFailed(f"condition types offered: {kinds}")

        self.step("a malformed condition (unbalanced braces) is refused, the error beside that condition's field")
        self.type(self.by_id("cond-4-attr"), "{args.chat.lsync")
        self.testid("save-webhook").click()
        message = self.error_beside("conditions[4].attr")
        self.step(f"  condition 5's attribute says: {message}")
        if self.by_id("cond-4-attr").get_attribute("aria-invalid") != "true":
            raise StepFailed("the malformed attribute is not marked invalid")
        if self.driver.find_element(By.CSS_SELECTOR, '.field-error[data-error-for="conditions[0].attr"]').text.strip():
            raise StepFailed("a valid condition shows an error")
        self.shot("06-webhook-validation-error")

        self.step("fix the condition and save")
        self.type(self.by_id("cond-4-attr"), "{args.chat.lsync}")
        webhook_id = self.save_and_wait_for_route("save-webhook", "#/webhooks/")
        status, webhook = self.api("GET", f"/api/v1/webhooks/{webhook_id}")
        stored = [{key: value for key, value in condition.items() if key in ("type", "attr", "condition", "value", "logic")}
                  for condition in webhook["configuration"]]
        if status != 200 or stored != BOT_NOT_RESPONDING or webhook["type"] != 1 or webhook["trigger_id"] != trigger_id \
                or webhook["name"] != "Bot not responding for 60 s" or webhook["disabled"] is not False:
            raise StepFailed(f"the webhook was not stored as entered: {webhook}")
        self.testid("test-form")
        self.shot("07-webhook-edit")

        self.step("a Start of OR and a 'Visitor message contains' condition")
        self.testid("add-or").click()
        self.testid("add-condition").click()
        row = self.testid("condition-7")
        self.choose(self.label_for("Type", row), "1")
        self.type(self.label_for("Message contains", self.testid("condition-7")), "hello,are you there")
        self.testid("save-webhook").click()
        self.wait_for(lambda: len(self.api("GET", f"/api/v1/webhooks/{webhook_id}")[1]["configuration"]) == 8, "the edited webhook being stored")
        configuration = self.api("GET", f"/api/v1/webhooks/{webhook_id}")[1]["configuration"]
        if configuration[6]["type"] != "4" or configuration[7]["type"] != "1" or configuration[7]["message_contains"] != "hello,are you there":
            raise StepFailed(f"the OR group was not stored: {configuration[6:]}")

        self.step("the list shows the webhook; disable and enable it there")
        self.go("#/webhooks")
        row = self.testid(f"webhook-row-{webhook_id}")
        if "Bot not responding for 60 s" not in row.text or "Continuous chat" not in row.text:
            raise StepFailed(f"the list row reads: {row.text}")
        toggle = self.testid(f"enabled-{webhook_id}")
        toggle.click()
        self.wait_for(lambda: self.api("GET", f"/api/v1/webhooks/{webhook_id}")[1]["disabled"] is True, "the webhook being disabled")
        self.wait_for(lambda: toggle.is_enabled(), "the switch settling")
        toggle.click()
        self.wait_for(lambda: self.api("GET", f"/api/v1/webhooks/{webhook_id}")[1]["disabled"] is False, "the webhook being enabled")
        self.shot("08-webhooks")

        self.step("delete a webhook after confirming")
        status, other = self.api("POST", "/api/v1/webhooks", {"name": "To delete", "event": "chat.close", "trigger_id": trigger_id})
        if status != 201:
            raise StepFailed(f"could not create the webhook to delete: {other}")
        self.go("#/triggers")
        self.go("#/webhooks")
        self.testid(f"delete-webhook-{other['id']}").click()
        self.testid(f"cancel-delete-webhook-{other['id']}").click()
        if self.api("GET", f"/api/v1/webhooks/{other['id']}")[0] != 200:
            raise StepFailed("cancelling deleted the webhook")
        self.testid(f"delete-webhook-{other['id']}").click()
        self.testid(f"confirm-delete-webhook-{other['id']}").click()
        self.wait_for(lambda: self.api("GET", f"/api/v1/webhooks/{other['id']}")[0] == 404, "the webhook being deleted")
        self.wait_for(lambda: not self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="webhook-row-{other["id"]}"]'), "the row disappearing")

        self.step("sign out: the token is forgotten and the sign-in form returns")
        self.testid("sign-out").click()
        self.testid("sign-in-form")
        if self.driver.execute_script("return sessionStorage.getItem('hookwork.token')") is not None:
            raise StepFailed("the token is still stored after signing out")
        self.go("#/webhooks")
        self.testid("sign-in-form")

    def test_box(self):
        """The test box on the webhook page: a stored chat, the verdict and the per-condition trace."""
        self.sign_in()
        self.step(f"open webhook {self.args.webhook_id} and test it against chat {self.args.chat_id}")
        self.go(f"#/webhooks/{self.args.webhook_id}")
        self.type(self.label_for("Chat id"), str(self.args.chat_id))
        self.testid("run-test").click()
        verdict = self.wait_for(lambda: self.answer_in("test-form", "test-verdict"), "the verdict")
        self.step(f"  verdict: {verdict}")
        if "Conditions valid" not in verdict or "would run the trigger" not in verdict:
            raise StepFailed(f"expected a valid verdict that runs the trigger, got: {verdict}")
        trace = self.testid("test-trace").text
        if trace.count("VALID") < len(BOT_NOT_RESPONDING):
            raise StepFailed(f"the trace does not show every condition: {trace}")
        if "condition 1:" not in trace or f"condition {len(BOT_NOT_RESPONDING)}:" not in trace or "condition 0:" in trace:
            raise StepFailed(f"the trace does not number conditions as the form does (from 1): {trace}")
        self.shot("09-webhook-test-box")
        self.step("why it fires or not: the summary in words and each reason with its code")
        self.testid("run-why").click()
        summary = self.wait_for(lambda: self.answer_in("test-form", "why-summary"), "the why answer")
        codes = [item.get_attribute("data-code") for item in self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="why-reasons"] li')]
        self.step(f"  why: {summary} {codes}")
        if not codes or not set(codes) <= {"due", "every_waits"}:
            raise StepFailed(f"a valid continuous webhook should be due or waiting for its next time, got {codes}: {summary}")
        if ("It fires" in summary) != (codes == ["due"]):
            raise StepFailed(f"the summary does not match the reasons: {summary} {codes}")
        self.step("a chat that does not exist is named in the error")
        self.type(self.label_for("Chat id"), "999999")
        self.testid("run-test").click()
        message = self.wait_for(lambda: self.form_error("test-form"), "the not-found message")
        if "999999" not in message:
            raise StepFailed(f"the not-found message does not name the chat: {message}")

    def deliveries(self):
        """The delivery log, one delivery's request and response, the exhausted list and the circuit breakers."""
        self.sign_in()
        self.step("the delivery log lists the call the event caused")
        self.go("#/deliveries")
        row = self.wait_or_error('[data-testid^="delivery-row-"]')
        if "delivered" not in row.text or self.args.receiver_url.split("//")[1] not in row.text:
            raise StepFailed(f"the newest delivery reads: {row.text}")
        self.shot("10-deliveries")
        self.step("filter by status: nothing is exhausted")
        self.choose(self.label_for("Status"), "exhausted")
        self.testid("apply-filters").click()
        self.wait_for(lambda: "No deliveries match" in self.testid("delivery-results").text, "the empty exhausted list")
        self.step("the Exhausted list button and a link with a status filter open the filtered log")
        self.testid("exhausted-link").click()
        self.wait_for(lambda: "No deliveries match" in self.testid("delivery-results").text, "the exhausted list")
        self.go("#/deliveries?status=delivered")
        self.wait_or_error('[data-testid^="delivery-row-"]')
        if self.testid("filter-status").get_attribute("value") != "delivered":
            raise StepFailed("the status filter of the link is not applied")
        if "No such page" in self.driver.find_element(By.ID, "main").text:
            raise StepFailed("a link with a filter shows No such page")
        self.step("a bulk replay says how many deliveries it would touch and waits for a second click")
        self.testid("bulk-replay-button").click()
        confirm = self.wait_for(lambda: self.testid("bulk-replay-confirm").text.strip(), "the bulk replay's confirmation")
        if "This replays 0 exhausted deliveries" not in confirm:
            raise StepFailed(f"the confirmation reads: {confirm}")
        self.step("the delivery page shows the request and the receiver's answer; Back to the log keeps the filter")
        self.choose(self.label_for("Status"), "delivered")
        self.testid("apply-filters").click()
        link = self.wait('[data-testid^="delivery-row-"] a')
        link.click()
        back = self.testid("back-to-log").get_attribute("href")
        if not back.endswith("#/deliveries?status=delivered"):
            raise StepFailed(f"Back to the log goes to {back}")
        self.testid("attempt-1")
        answer = self.testid("response-status").text
        if "HTTP 200" not in answer or "/bot-silent/" not in self.testid("attempt-1").text:
            raise StepFailed(f"the attempt reads: {self.testid('attempt-1').text}")
        self.shot("11-delivery")
        self.step("replay it: a new attempt of the same delivery")
        delivery_id = int(self.driver.execute_script("return location.hash").rsplit("/", 1)[1])
        self.testid(f"replay-{delivery_id}").click()
        self.wait_for(lambda: self.api("GET", f"/api/v1/deliveries/{delivery_id}")[1]["attempts"] >= 2, "the replayed attempt", timeout=15)
        self.step("the circuit breakers list the receiver's host as closed")
        self.go("#/breakers")
        table = self.wait_or_error('[data-testid="breaker-table"]').text
        if "closed" not in table:
            raise StepFailed(f"the breakers read: {table}")
        self.shot("12-breakers")

        self.step("on a phone (390 x 844): the navigation folds behind Menu, the log is cards with no sideways scroll")
        self.driver.set_window_size(390, 844)
        try:
            self.go("#/deliveries")
            self.wait_or_error('[data-testid^="delivery-row-"]')
            header = self.driver.execute_script("return document.querySelector('.top').getBoundingClientRect().height")
            viewport = self.driver.execute_script("return window.innerHeight")
            if header > viewport * 0.15:
                raise StepFailed(f"the header takes {header} of {viewport} pixels")
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                raise StepFailed(f"the deliveries page scrolls sideways by {overflow} pixels")
            label = self.driver.execute_script("return document.querySelector('[data-testid^=\"delivery-row-\"] td').dataset.label")
            if label != "Id":
                raise StepFailed(f"a cell's label reads {label!r}")
            self.driver.save_screenshot(os.path.join(self.shots, "19-phone-deliveries.png"))
            self.testid("menu").click()
            self.wait_for(lambda: self.driver.find_element(By.CSS_SELECTOR, '[data-testid="nav-breakers"]').is_displayed(), "the menu opening")
            self.testid("nav-breakers").click()
            self.wait_or_error('[data-testid="breaker-table"]')
            if self.driver.find_element(By.CSS_SELECTOR, '[data-testid="nav-breakers"]').is_displayed():
                raise StepFailed("the menu stays open after choosing a page")
        finally:
            self.driver.set_window_size(1280, 900)

    def operations(self):
        """A host a 410 disabled enabled again, a parked event replayed, a token created, rotated and revoked."""
        self.sign_in()
        host = self.args.host
        self.step(f"the circuit breakers show {host} disabled by a 410; enable it")
        self.go("#/breakers")
        cell = self.wait_or_error(f'[data-testid="disabled-{host}"]')
        if "disabled" not in cell.text or "410" not in cell.text:
            raise StepFailed(f"the host's row reads: {self.testid('breaker-' + host).text}")
        self.shot("15-breakers-disabled")
        self.testid(f"enable-{host}").click()
        self.wait_for(lambda: self.testid(f"disabled-{host}").text.strip() == "—", "the page showing the host enabled")
        hosts = self.api("GET", "/api/v1/breakers")[1]["hosts"]
        if any(entry["host"] == host and entry["retries_disabled_at"] is not None for entry in hosts):
            raise StepFailed(f"the API still lists {host} as disabled: {hosts}")

        self.step("the parked event is listed with its reason; replay it")
        self.go("#/events/parked")
        row = self.wait_or_error('tr[data-testid^="parked-"]')
        if "without completing" not in row.text or "chat.close" not in row.text:
            raise StepFailed(f"the parked event reads: {row.text}")
        event_id = int(row.get_attribute("data-testid").rsplit("-", 1)[1])
        self.shot("16-parked")
        self.testid(f"replay-event-{event_id}").click()
        self.testid("parked-empty")
        self.step("the chat a crashing pass was parked on is listed with its reason; resume it")
        row = self.testid("parked-chat-43")
        if "parked" not in row.text or "stopped 2 times" not in row.text or "webhook 1" not in row.text:
            raise StepFailed(f"the parked chat reads: {row.text}")
        self.step("its link opens the chat in the explorer")
        row.find_element(By.LINK_TEXT, "chat 43").click()
        self.wait_for(lambda: "{args.chat.id}" in self.testid("explore-result").text, "the explorer showing chat 43")
        if "43" not in self.testid("explore-result").text:
            raise StepFailed(f"the explorer shows: {self.testid('explore-result').text[:300]}")
        self.go("#/events/parked")
        self.testid("resume-chat-43").click()
        self.testid("parked-chats-empty")
        if self.api("GET", "/api/v1/continuous/parked")[1]["faults"]:
            raise StepFailed("the API still lists chat 43 after Resume")
        self.wait_for(lambda: self.api("GET", f"/api/v1/events/{event_id}")[1]["status"] == "done", "the replayed event running", timeout=20)
        try:
            self.wait_for(lambda: any(d["status"] == "delivered" for d in self.api("GET", "/api/v1/deliveries?chat_id=43")[1]["deliveries"]),
                          "the replayed event's call delivered", timeout=20)
        except StepFailed as failed:
            raise StepFailed(f"{failed}: {self.api('GET', '/api/v1/deliveries')[1]} {self.api('GET', f'/api/v1/events/{event_id}')[1]}")

        self.step("create an ingest token: its secret shows once and works for ingest only")
        self.go("#/tokens")
        self.wait_or_error('[data-testid="token-table"]')
        self.type(self.testid("new-token-name"), "chat platform")
        self.choose(self.testid("new-token-scope"), "ingest")
        self.testid("create-token").click()
        secret = self.wait_or_error('[data-testid="token-secret-value"]').text.strip()
        if self.api("GET", "/api/v1/chats", token=secret)[0] != 200 or self.api("GET", "/api/v1/webhooks", token=secret)[0] != 403:
            raise StepFailed("the new token is not an ingest token")
        row = self.testid("token-chat platform")
        if "ingest" not in row.text or secret in self.driver.find_element(By.CSS_SELECTOR, '[data-testid="token-table"]').text:
            raise StepFailed(f"the token's row reads: {row.text}")
        self.shot("17-tokens")
        token_id = next(t["id"] for t in self.api("GET", "/api/v1/tokens")[1]["tokens"] if t["name"] == "chat platform")

        self.step("rotate it (two clicks): a new secret, the old one refused")
        button = self.testid(f"rotate-token-{token_id}")
        button.click()
        self.wait_for(lambda: "again" in self.testid(f"rotate-token-{token_id}").text, "the rotate button asking again")
        self.testid(f"rotate-token-{token_id}").click()
        self.wait_for(lambda: self.testid("token-secret-value").text.strip() not in ("", secret), "the rotated secret showing")
        rotated = self.testid("token-secret-value").text.strip()
        if self.api("GET", "/api/v1/chats", token=secret)[0] != 401 or self.api("GET", "/api/v1/chats", token=rotated)[0] != 200:
            raise StepFailed("after rotation the old secret still works or the new one does not")

        self.step("revoke it (two clicks): gone from the list, its secret refused at once")
        self.testid(f"revoke-token-{token_id}").click()
        self.testid(f"revoke-token-{token_id}").click()
        self.wait_for(lambda: not self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="token-chat platform"]'), "the token leaving the list")
        if self.api("GET", "/api/v1/chats", token=rotated)[0] != 401:
            raise StepFailed("the revoked token still works")

    def explorer(self):
        """Every {args.chat.*} attribute of a stored chat with its value."""
        self.sign_in()
        self.step(f"explore chat {self.args.chat_id}")
        self.go("#/explorer")
        self.type(self.label_for("Id"), str(self.args.chat_id))
        self.testid("explore").click()
        table = self.wait_or_error('[data-testid="explore-table"]').text
        for expected in ("{args.chat.status}", "{args.chat.nick}", "{args.chat.department.name}"):
            if expected not in table:
                raise StepFailed(f"{expected} is not listed")
        self.shot("13-explorer")
        self.step("extract one attribute")
        self.type(self.label_for("Extract one attribute (path)"), "args.chat.department.name")
        self.testid("extract").click()
        self.wait_for(lambda: "Support" in self.testid("extract-result").text, "the extracted department name")
        self.step("ask why the webhook fires or not for this chat")
        self.wait_for(lambda: len(Select(self.testid("why-webhook")).options) > 1, "the webhooks to choose from")
        Select(self.testid("why-webhook")).select_by_index(1)
        self.testid("explorer-run-why").click()
        summary = self.wait_for(lambda: self.answer_in("why-form", "why-summary"), "the why answer")
        codes = [item.get_attribute("data-code") for item in self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="explorer-why"] [data-testid="why-reasons"] li')]
        if not codes or not set(codes) <= {"due", "every_waits"}:
            raise StepFailed(f"the chat matches the webhook: it should be due or waiting, got {codes}: {summary}")

    def connections(self):
        """A Chatwoot connection through the form: a wrong member named beside its field, secrets write-only, the intake
        URL to copy, and a sync against the Chatwoot stand-in the Swift test started."""
        self.sign_in()
        self.step("no connection yet")
        self.testid("nav-connections").click()
        self.wait_or_error('[data-testid="connections-empty"]')
        self.testid("new-connection").click()
        self.step("a wrong account id is named beside its field")
        self.type(self.testid("connection-id"), "1")
        self.type(self.testid("connection-base-url"), self.args.receiver_url)
        self.type(self.testid("connection-account-id"), "three")
        self.type(self.testid("connection-api-token"), "admin-token")
        self.type(self.testid("connection-bot-token"), "bot-token")
        self.type(self.testid("connection-webhook-secret"), "whsec-test-secret")
        self.testid("save-connection").click()
        message = self.error_beside("account_id")
        if "account_id" not in message and "positive integer" not in message:
            raise StepFailed(f"the account id's error reads: {message}")
        self.step("fixed, it saves and reads back with its secrets masked")
        self.type(self.testid("connection-account-id"), "3")
        self.testid("save-connection").click()
        self.wait_for(lambda: self.driver.execute_script("return location.hash") == "#/connections/1", "the page moving to #/connections/1")
        intake = self.wait_or_error('[data-testid="intake-url"]').get_attribute("value")
        if not intake.endswith("/api/v1/connections/1/webhook"):
            raise StepFailed(f"the intake URL reads {intake}")
        if self.testid("connection-api-token").get_attribute("value") != "********":
            raise StepFailed("the administrator token is shown back instead of ********")
        status, stored = self.api("GET", "/api/v1/connections/1")
        if status != 200 or stored["api_access_token"] != "********" or stored["account_id"] != 3:
            raise StepFailed(f"the stored connection reads {status} {stored}")
        if "none yet" not in self.testid("last-webhook").text:
            raise StepFailed(f"the last webhook reads {self.testid('last-webhook').text}")
        self.step("saving again with the masked secrets keeps them: a sync reads the stand-in with the stored token")
        before = self.testid("connection-health")
        self.testid("save-connection").click()
        # The page draws itself anew after the save: wait until the old panel is gone.
        self.wait_for(lambda: EC.staleness_of(before)(self.driver), "the page drawing itself again after the save")
        self.wait_or_error('[data-testid="intake-url"]')
        self.testid("sync-now").click()
        self.wait_for(lambda: "2 stored" in self.testid("sync-result").text, "the sync's result")
        if self.testid("last-sync").text.strip() in ("", "—"):
            raise StepFailed("the last sync's time did not change")
        self.shot("18-connection")
        self.go("#/connections")
        row = self.wait_or_error('[data-testid="connection-row-1"]').text
        if self.args.receiver_url not in row or "0 retrying" not in row:
            raise StepFailed(f"the connection's row reads {row}")

    def history(self):
        """A trigger's history: who changed what, version by version; a restore brings back the earlier document; a
        deleted trigger is listed and restored from its history."""
        self.sign_in()
        self.step("the trigger's page links to its history, newest version first")
        self.go("#/triggers/1")
        self.testid("history-link").click()
        self.wait_for(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="versions"] tbody tr')) == 2, "two versions listed")
        rows = self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="versions"] tbody tr')
        if "Version 2" not in rows[0].text or "(current)" not in rows[0].text or "HOOKWORK_ADMIN_TOKEN" not in rows[0].text:
            raise StepFailed(f"the newest row reads: {rows[0].text}")
        self.step("the current version's changes name the member, its value before and after")
        change = self.testid("change-0")
        if "/name" not in change.text or '"Greeting"' not in change.text or '"Greeting, renamed"' not in change.text:
            raise StepFailed(f"the change reads: {change.text}")
        if self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="restore"]'):
            raise StepFailed("the current version offers a restore")
        self.shot("20-history")
        self.step("version 1 is restored after a confirmation; the list then has a third version")
        self.driver.find_element(By.CSS_SELECTOR, '[data-testid="version-row-1"] a').click()
        self.testid("restore").click()
        self.testid("confirm-restore").click()
        self.wait_for(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="versions"] tbody tr')) == 3, "a third version listed")
        status, stored = self.api("GET", "/api/v1/triggers/1")
        if status != 200 or stored.get("name") != "Greeting":
            raise StepFailed(f"the stored trigger reads {status} {stored}")
        self.step("a deleted trigger is listed with who deleted it, and restored from its history")
        self.go("#/triggers")
        self.testid("deleted-link").click()
        row = self.testid("deleted-row-2")
        if "Old greeting" not in row.text or "HOOKWORK_ADMIN_TOKEN" not in row.text:
            raise StepFailed(f"the deleted row reads: {row.text}")
        row.find_element(By.TAG_NAME, "a").click()
        self.testid("restore").click()
        self.testid("confirm-restore").click()
        self.wait_for(lambda: self.api("GET", "/api/v1/triggers/2")[0] == 200, "trigger 2 coming back")
        # The page moves to the history once the restore answered: wait for it before going elsewhere.
        self.wait_for(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="versions"] tbody tr')) == 3, "the history's third version")
        self.go("#/deleted/triggers")
        self.wait('[data-testid="deleted"], .empty')
        if self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="deleted-row-2"]'):
            raise StepFailed("the restored trigger is still listed as deleted")
        self.step("a webhook in shadow mode shows its mode and the firing it recorded instead of running")
        self.go("#/webhooks/1")
        if Select(self.testid("webhook-mode")).first_selected_option.get_attribute("value") != "shadow":
            raise StepFailed("the mode select does not read shadow")
        total = self.wait_for(lambda: self.answer_in("webhook-form", "shadow-total"), "the shadow firings")
        if not total.startswith("1 would-be firing"):
            raise StepFailed(f"the shadow box reads: {total}")
        self.shot("21-shadow-firings")

    def calendars(self):
        """A calendar through the form: a wrong time zone and an inverted interval named beside their fields, then saved
        with a holiday, as the API stores it."""
        self.sign_in()
        self.step("no calendar yet")
        self.testid("nav-calendars").click()
        self.wait_or_error('[data-testid="calendars-empty"]')
        self.testid("new-calendar").click()
        self.step("an unknown time zone is named beside its field")
        self.type(self.testid("calendar-id"), "1")
        self.type(self.testid("calendar-name"), "Vilnius office")
        self.type(self.testid("calendar-time-zone"), "Mars/Base")
        self.type(self.testid("calendar-mon"), "09:00-13:00, 14:00-18:00")
        self.testid("save-calendar").click()
        message = self.error_beside("time_zone")
        if "Mars/Base" not in message:
            raise StepFailed(f"the time zone's error reads: {message}")
        self.step("an interval that ends before it starts is named beside its day")
        self.type(self.testid("calendar-time-zone"), "Europe/Vilnius")
        self.type(self.testid("calendar-tue"), "18:00-09:00")
        self.testid("save-calendar").click()
        message = self.error_beside("weekly.tue")
        if "ends before it starts" not in message:
            raise StepFailed(f"Tuesday's error reads: {message}")
        self.step("fixed, with a holiday, it saves as the API stores it")
        self.type(self.testid("calendar-tue"), "09:00-18:00")
        self.type(self.testid("calendar-exceptions"), "2026-12-24 closed\n2026-12-31 09:00-12:00")
        self.testid("save-calendar").click()
        self.wait_for(lambda: self.driver.execute_script("return location.hash") == "#/calendars/1", "the page moving to #/calendars/1")
        status, stored = self.api("GET", "/api/v1/calendars/1")
        expected_week = {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "tue": [["09:00", "18:00"]]}
        if status != 200 or stored.get("weekly") != expected_week or stored.get("exceptions") != {"2026-12-24": [], "2026-12-31": [["09:00", "12:00"]]}:
            raise StepFailed(f"the stored calendar reads {status} {stored}")
        if self.testid("calendar-mon").get_attribute("value") != "09:00-13:00, 14:00-18:00":
            raise StepFailed("Monday's hours do not read back as written")
        self.shot("19-calendar")
        self.step("an edit not saved is not lost without a question: staying keeps it, leaving drops it")
        self.type(self.testid("calendar-name"), "Vilnius office (renamed)")
        self.testid("nav-calendars").click()
        alert = WebDriverWait(self.driver, 5).until(EC.alert_is_present())
        if "not saved" not in alert.text:
            raise StepFailed(f"the question reads: {alert.text}")
        alert.dismiss()
        if self.driver.execute_script("return location.hash") != "#/calendars/1":
            raise StepFailed("staying did not keep the page's address")
        if self.testid("calendar-name").get_attribute("value") != "Vilnius office (renamed)":
            raise StepFailed("staying lost the typed name")
        self.testid("nav-calendars").click()
        WebDriverWait(self.driver, 5).until(EC.alert_is_present()).accept()
        self.wait_or_error('[data-testid="calendar-row-1"]')
        if self.api("GET", "/api/v1/calendars/1")[1].get("name") != "Vilnius office":
            raise StepFailed("leaving saved the edit")
        self.step("a saved page leaves without a question")
        self.testid("calendar-row-1").find_element(By.TAG_NAME, "a").click()
        self.wait_for(lambda: self.driver.execute_script("return location.hash") == "#/calendars/1", "the calendar opening")
        self.testid("calendar-name")
        self.testid("nav-calendars").click()
        try:
            WebDriverWait(self.driver, 1).until(EC.alert_is_present())
            raise StepFailed("an unchanged form asked before leaving")
        except TimeoutException:
            pass
        self.go("#/calendars")
        row = self.wait_or_error('[data-testid="calendar-row-1"]').text
        if "Europe/Vilnius" not in row or "mon tue" not in row:
            raise StepFailed(f"the calendar's row reads {row}")

    def events(self):
        """The event log lists the stored event; a test event sent from the page runs its webhook, and its page leads to
        the delivery it caused."""
        self.sign_in()
        self.step("the event log lists the event the test stored")
        self.testid("nav-events").click()
        row = self.wait_or_error('[data-testid^="event-row-"]').text
        if "chat.close" not in row or "close-42" not in row or "1 of 1" not in row:
            raise StepFailed(f"the event's row reads: {row}")
        if self.driver.find_element(By.CSS_SELECTOR, '[data-testid="nav-events"]').get_attribute("aria-current") != "page":
            raise StepFailed("the Events section is not marked as the current one")
        self.step("send a chat.close test event for chat 77 from its template")
        self.choose(self.testid("test-event-template"), "chat.close")
        args = self.testid("test-event-args")
        self.type(args, '{"chat": {"id": 77, "nick": "Bo", "status": 2, "dep_id": 3}, "user_data": {"id": 5, "name": "Olga"}}')
        self.type(self.testid("test-event-id"), "page-test-77")
        self.testid("send-test-event").click()
        link = self.wait_or_error('[data-testid="test-event-link"]')
        self.shot("20-events")
        link.click()
        self.step("the event's page shows the webhook's trace and the delivery it caused")
        webhook = self.wait_or_error('[data-testid^="event-webhook-"]').text
        if "conditions valid" not in webhook or "restapi" not in webhook:
            raise StepFailed(f"the webhook's entry reads: {webhook}")
        self.wait('[data-testid^="event-delivery-"]').click()
        self.wait_or_error('[data-testid="delivery-summary"]')
        if "/bot-silent/77" not in self.testid("delivery-summary").text:
            raise StepFailed(f"the delivery reads: {self.testid('delivery-summary').text}")
        self.step("sending the same id again is not run twice")
        self.go("#/events")
        self.wait_or_error('[data-testid="test-event-form"]')
        self.type(self.testid("test-event-args"), '{"chat": {"id": 77, "status": 2}}')
        self.type(self.testid("test-event-id"), "page-test-77")
        self.testid("send-test-event").click()
        self.wait_for(lambda: "Seen before" in self.testid("test-event-answer").text, "the duplicate answer")

    def dashboard(self):
        """Events, firings and delivery outcomes over the last hour and day."""
        self.sign_in()
        self.go("#/dashboard")
        self.step("the hour and day charts draw bars, and the hour counts the event sent")
        self.wait_or_error('[data-testid="chart-hour"]')
        self.testid("chart-day")
        events = int(self.testid("total-hour-events").text)
        delivered = int(self.testid("total-hour-delivered").text)
        if events < 1 or delivered < 1:
            raise StepFailed(f"the last hour shows {events} events and {delivered} deliveries")
        self.step("the needs-attention panel counts what waits for an operator, each a link to its list")
        panel = self.testid("attention").text
        for expected in ("0 open circuit breakers", "0 deliveries being retried", "0 deliveries ended without success", "0 parked events",
                         "0 parked chats"):
            if expected not in panel:
                raise StepFailed(f"the attention panel reads: {panel}")
        self.testid("attention-exhausted").click()
        self.wait_for(lambda: self.testid("filter-status").get_attribute("value") == "exhausted", "the exhausted list opening")
        self.go("#/dashboard")
        self.wait_or_error('[data-testid="chart-hour"]')
        bars = self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="chart-hour"] rect.bar')
        if len(bars) != 12 * 4:
            raise StepFailed(f"the hour chart has {len(bars)} bars, not 48")
        self.shot("14-dashboard")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--scenario", choices=["core", "test-box", "deliveries", "explorer", "dashboard", "operations", "connections", "events", "calendars", "history"], default="core")
    parser.add_argument("--receiver-url", default="http://127.0.0.1:9")
    parser.add_argument("--chat-id", type=int, default=1)
    parser.add_argument("--webhook-id", type=int, default=1)
    parser.add_argument("--host", default="")
    args = parser.parse_args()
    flow = Flow(args)
    try:
        getattr(flow, args.scenario.replace("-", "_"))()
        print(f"ok: {args.scenario}", flush=True)
        return 0
    except Exception as error:  # every failure is reported with the page's state
        print(f"FAILED: {type(error).__name__}: {error}", flush=True)
        try:
            flow.driver.save_screenshot(os.path.join(args.screenshots, f"failure-{args.scenario}.png"))
            print("page text at failure:\n" + flow.driver.find_element(By.TAG_NAME, "body").text[:3000], flush=True)
            for entry in flow.driver.get_log("browser"):
                print("browser log:", entry.get("message"), flush=True)
        except Exception:
            pass
        return 1
    finally:
        flow.driver.quit()


if __name__ == "__main__":
    sys.exit(main())
