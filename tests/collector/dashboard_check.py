#!/usr/bin/env python3
"""The collector's dashboard in a real browser (tests/collector/dashboard.sh runs this).

Debian's chromium, headless, driven by chromedriver through python3-selenium,
with no way out but the collector (a proxy that goes nowhere for any other
host): the login (a wrong token refused with the collector's reason, then
the right one), the overview's figures, the hosts table filtered and paged,
a host, a diff of two of its reports, a hostile host (markup in its name and
id shown as text), a chip by UUID, the incidents; the expected values come
from EXPECT.json, computed by dashboard.sh with jq from the pushed reports.
On every page: no console error, and no request but to the collector.
Prints TAP; exits 1 on any failure.

usage: dashboard_check.py EXPECT.json TMPDIR [--cacert FILE] [--screenshots DIR]"""
import datetime
import json
import os
import shutil
import sys
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

E = json.load(open(sys.argv[1]))
TMP = sys.argv[2]
SHOTS = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
URL = E["url"]
WRONG_REASON = "Refused: the operator's token is needed (Authorization: Bearer)"

count = 0
failures = 0
expected_errors = []  # console messages expected (the wrong token's 401)
unexpected_errors = []


def check(ok, name, detail=""):
    global count, failures
    count += 1
    if ok:
        print(f"ok {count} - {name}")
    else:
        failures += 1
        print(f"not ok {count} - {name}")
        for line in str(detail).splitlines()[:20]:
            print(f"#   {line[:300]}")
    sys.stdout.flush()


def browser():
    o = Options()
    o.binary_location = shutil.which("chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-extensions", "--disable-background-networking", "--disable-sync",
              "--user-data-dir=" + os.path.join(TMP, "profile"), "--window-size=1200,900",
              # nowhere to go but the collector on 127.0.0.1 (loopback bypasses the proxy)
              "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        o.add_argument(a)
    # the collector's certificate is collector-dev's own, self-signed
    o.set_capability("acceptInsecureCerts", True)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver"),
                                            log_path=os.path.join(TMP, "chromedriver.log")), options=o)


def console(d, expect_401=False):
    """Console errors since the last call, kept for the final check."""
    for e in d.get_log("browser"):
        if e.get("level") not in ("SEVERE", "ERROR"):
            continue
        if expect_401 and "status of 401" in e.get("message", ""):
            expected_errors.append(e["message"])
        else:
            unexpected_errors.append(e.get("message", ""))


requests = []


def network(d):
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            # the browser's own new tab (chrome://), before the dashboard is opened, is not the page's
            if not m["params"].get("documentURL", "").startswith("chrome://"):
                requests.append(m["params"]["request"]["url"])


def js(d, script, *args):
    return d.execute_script(script, *args)


def ready(d, name):
    try:
        WebDriverWait(d, 30).until(lambda d: js(d, "return document.getElementById('view').dataset.ready") == name)
        return True
    except Exception:
        shown = js(d, "return document.getElementById('view').textContent") or ""
        print(f"# page {name} not ready: {shown[:300]}")
        return False


def stale(d):
    js(d, "document.getElementById('view').dataset.ready = 'stale'")


def go(d, fragment, name):
    stale(d)
    js(d, "location.hash = arguments[0]", fragment)
    return ready(d, name)


def click(d, selector, name):
    stale(d)
    d.find_element(By.CSS_SELECTOR, selector).click()
    return ready(d, name)


def text(d, selector):
    return js(d, "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", selector)


def rows(d, table):
    return js(d, "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr')).map("
                 "tr => Array.from(tr.cells).map(td => td.textContent))", "#" + table)


def screenshot(d, name, height=1000):
    if not SHOTS:
        return
    d.set_window_size(1200, height)
    d.save_screenshot(os.path.join(SHOTS, "dashboard-" + name + ".png"))
    d.set_window_size(1200, 900)


def nothing_ran(d, label):
    got = js(d, "return [typeof window.__pwned, document.scripts.length, document.images.length, "
                "document.querySelectorAll('iframe, object, embed').length, "
                "Array.from(document.querySelectorAll('*')).filter(e => "
                "Array.from(e.attributes).some(a => a.name.startsWith('on'))).length]")
    check(got == ["undefined", 1, 0, 0, 0], f"{label}: nothing of the report's ran: no script but the page's, "
          "no image, frame or event handler", got)


def login(d):
    d.get(URL + "/")
    console(d)
    check(js(d, "return !document.getElementById('login').hidden && document.getElementById('view').hidden"),
          "without a token: the login form, no page")
    body = js(d, "return document.body.textContent")
    check(E["h20x8"] not in body, "without a token: nothing of the fleet on the page")
    screenshot(d, "login", 500)
    d.find_element(By.ID, "token").send_keys(E["token"] + "x")
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()
    try:
        WebDriverWait(d, 20).until(lambda d: text(d, "#login-error"))
    except Exception:
        pass
    check(text(d, "#login-error") == WRONG_REASON, "a wrong token: refused with the collector's 401 reason",
          text(d, "#login-error"))
    check(js(d, "return sessionStorage.length") == 0, "a wrong token: not kept")
    check(js(d, "return document.getElementById('view').hidden"), "a wrong token: no page shown")
    console(d, expect_401=True)
    d.find_element(By.ID, "token").send_keys(E["token"])
    stale(d)
    d.find_element(By.CSS_SELECTOR, "#login-form button").click()
    check(ready(d, "overview"), "the right token: the overview")
    check(js(d, "return Object.values(sessionStorage)") == [E["token"]], "the token kept in sessionStorage")
    check(js(d, "return localStorage.length + document.cookie.length") == 0, "nothing in localStorage or cookies")


def overview(d):
    card = lambda k: text(d, f".card[data-key={k}] .value")
    check(card("hosts") == str(E["hosts"]), f"overview: {E['hosts']} hosts", card("hosts"))
    check(card("accelerators") == str(E["accelerators"]), f"overview: {E['accelerators']} accelerators",
          card("accelerators"))
    check(card("silent") == str(len(E["silent"])), "overview: 1 silent host", card("silent"))
    check(card("incidents") == str(E["incidents"]), "overview: 1 incident", card("incidents"))
    want = sorted([m["model"], str(m["accelerators"])] for m in E["by_model"])
    check(sorted(rows(d, "by-model")) == want, "overview: accelerators by model", rows(d, "by-model"))
    want = sorted([c["check"]] + [str(c[s]) for s in ("pass", "warn", "fail", "skip", "error")] for c in E["checks"])
    got = sorted(rows(d, "checks"))
    check(got == want, f"overview: each of {len(want)} checks' pass/warn/fail/skip/error counts",
          "\n".join(json.dumps(r) for r in sorted(set(map(json.dumps, got)) ^ set(map(json.dumps, want)))))
    want = sorted(["none" if t["trust_level"] is None else str(t["trust_level"]), str(t["hosts"])] for t in E["by_trust"]
                  + [{"trust_level": None, "hosts": 1}])
    check(sorted(rows(d, "by-trust")) == want, "overview: hosts by trust level (the silent one has none)",
          rows(d, "by-trust"))
    bars = js(d, "return Array.from(document.querySelectorAll('#trend rect.bar')).map("
                 "r => [r.dataset.day, Number(r.dataset.reports), Number(r.getAttribute('height'))])")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    check(len(bars) == 30 and bars[-1][0] == today.isoformat() and bars[0][0] == (today - datetime.timedelta(29)).isoformat(),
          "overview: the trend, one SVG bar a day for 30 days to today", [b[0] for b in bars[:1] + bars[-1:]] + [len(bars)])
    check(bars[-1][1] == E["today_reports"] and sum(b[1] for b in bars) == E["reports"],
          f"overview: today's bar is the {E['today_reports']} reports stored, the other days none", bars[-3:])
    check(bars[-1][2] > 0 and all(b[2] == 0 for b in bars[:-1]), "overview: drawn to scale", bars[-2:])
    screenshot(d, "overview", 1500)


def host_ids(d):
    return [r[0] for r in rows(d, "hosts")]


def hosts(d):
    check(go(d, "#/hosts", "hosts"), "hosts: the table")
    check(sorted(host_ids(d)) == E["all_hosts"], f"hosts: all {len(E['all_hosts'])} hosts", host_ids(d))
    check(text(d, "#range").strip() == f"hosts 1 to {E['hosts']} of {E['hosts']}", "hosts: the range shown",
          text(d, "#range"))
    hostile = [r for r in rows(d, "hosts") if r[0] == E["hostile_id"]]
    check(len(hostile) == 1 and hostile[0][1] == E["hostile_name"], "hosts: the hostile host's id and name as text",
          hostile)
    nothing_ran(d, "hosts")
    screenshot(d, "hosts", 900)
    # filter to a failing check with the form
    Select(d.find_element(By.ID, "filter-check")).select_by_value(E["failing_check"])
    check(click(d, "#filters button", "hosts"), "hosts: filtered by the form")
    q = urllib.parse.parse_qs(js(d, "return location.hash").split("?", 1)[-1])
    check(q.get("check") == [E["failing_check"]], "hosts: the filter is in the address", q)
    check(sorted(host_ids(d)) == E["failing_hosts"], f"hosts failing {E['failing_check']}: as in the reports",
          f"{host_ids(d)} != {E['failing_hosts']}")
    screenshot(d, "hosts-failing", 700)
    check(go(d, "#/hosts?model=" + urllib.parse.quote(E["model"]), "hosts") and
          sorted(host_ids(d)) == E["model_hosts"], f"hosts with a {E['model']}", host_ids(d))
    check(go(d, "#/hosts?silent=1", "hosts") and host_ids(d) == E["silent"] and
          rows(d, "hosts")[0][-1] == "silent", "hosts: silent only", rows(d, "hosts"))
    # three to a page: every host once, in three pages
    seen = []
    check(go(d, "#/hosts?limit=3", "hosts") and len(host_ids(d)) == 3 and
          text(d, "#range").strip() == f"hosts 1 to 3 of {E['hosts']}", "hosts: three to a page", text(d, "#range"))
    seen += host_ids(d)
    pages = 1
    while js(d, "return document.getElementById('next') !== null") and pages < 10:
        click(d, "#next", "hosts")
        seen += host_ids(d)
        pages += 1
    check(pages == -(-E["hosts"] // 3) and sorted(seen) == E["all_hosts"] and len(seen) == len(set(seen)),
          f"hosts: next, page by page, each host once ({pages} pages)", seen)
    check(click(d, "#prev", "hosts") and text(d, "#range").strip().startswith(f"hosts {3 * (pages - 2) + 1} to"),
          "hosts: previous", text(d, "#range"))


def host(d):
    check(go(d, "#/hosts", "hosts"), "hosts again")
    d.find_element(By.CSS_SELECTOR, f"#hosts a[href='#/host/{E['h20x8']}']").click()
    check(ready(d, "host") and text(d, "#host-id") == E["h20x8"], "host: opened from the table", text(d, "#host-id"))
    check([r[0] for r in rows(d, "reports")] == ["1", "2"], "host: its two reports, by sequence", rows(d, "reports"))
    check(sorted([r[0], r[1], r[2]] for r in rows(d, "not-passing")) == E["not_passing"],
          f"host: its {len(E['not_passing'])} findings not passing now, as its latest report",
          rows(d, "not-passing"))
    chain = text(d, "#chain") or ""
    check("2 reports, 1 key" in chain and "no gap" in chain and "no fork or replay" in chain,
          "host: the chain, whole", chain)
    screenshot(d, "host", 1600)
    check(js(d, "return [document.getElementById('diff-from').value, document.getElementById('diff-to').value]")
          == ["1", "2"], "host: the diff compares the last two reports by default")
    check(click(d, "#diff-form button", "diff"), "diff: opened from the host")
    got = sorted(rows(d, "changed"))
    want = sorted([c, s, "(absent)" if b is None else b, "(absent)" if n is None else n] for c, s, b, n in E["diff"])
    check(got == want, f"diff: the {len(want)} subjects whose status changed, as in the reports",
          "\n".join(json.dumps(r) for r in sorted(set(map(json.dumps, got)) ^ set(map(json.dumps, want)))))
    screenshot(d, "diff", 900)
    check(go(d, "#/host/" + urllib.parse.quote(E["h20x8"], safe="") + "/diff?from=2&to=2", "diff") and
          text(d, "#changed") == "No finding changed its status.", "diff: a report with itself, nothing changed")
    check(go(d, "#/host/" + urllib.parse.quote(E["h20x8"], safe="") + "/diff?from=1&to=9", "diff") and
          "has no report 9" in (text(d, "#view") or ""), "diff: a report that is not there, the collector's reason")
    console(d, expect_401=False)
    # the 404 of that last answer is logged by the browser; nothing else may be
    global unexpected_errors
    unexpected_errors = [m for m in unexpected_errors if "status of 404" not in m]


def hostile(d):
    check(go(d, "#/host/" + urllib.parse.quote(E["hostile_id"], safe=""), "host"), "hostile host: its page")
    check(text(d, "#host-name") == E["hostile_name"] and text(d, "#host-id") == E["hostile_id"],
          "hostile host: name and id shown as text", [text(d, "#host-name"), text(d, "#host-id")])
    check(js(d, "return document.title") == "chipaudit fleet", "hostile host: the title is the page's")
    nothing_ran(d, "hostile host")
    screenshot(d, "hostile", 900)


def chip(d):
    d.find_element(By.ID, "chip-id").send_keys(E["uuid"])
    check(click(d, "#chip-form button", "chip"), "chip: opened by UUID from the form")
    check(text(d, "#chip-title") == E["uuid"], "chip: its UUID", text(d, "#chip-title"))
    check(rows(d, "history") == [[E["h20x8"], "0000:18:00.0", rows(d, "history")[0][2], rows(d, "history")[0][3], "2"]],
          "chip: seen on one host at one address in two reports", rows(d, "history"))
    screenshot(d, "chip", 700)


def incidents(d):
    check(click(d, "#nav a[href='#/incidents']", "incidents"), "incidents: from the menu")
    got = rows(d, "incidents")
    check(len(got) == E["incidents"] and got[0][1] == "replay", "incidents: the replay", got)
    screenshot(d, "incidents", 500)


def logout(d):
    d.find_element(By.ID, "logout").click()
    check(js(d, "return sessionStorage.length === 0 && !document.getElementById('login').hidden"),
          "log out: the token forgotten, the login form back")
    d.get(URL + "/#/hosts")
    check(js(d, "return !document.getElementById('login').hidden"), "after logging out, a page asks for the token")


def main():
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
    d = browser()
    try:
        d.get_log("browser")
        login(d)
        for step in (overview, hosts, host, hostile, chip, incidents, logout):
            step(d)
            console(d)
            network(d)
        check(len(expected_errors) >= 1, "the wrong token's 401 was the collector's answer", expected_errors)
        check(not unexpected_errors, "no console error on any page", "\n".join(unexpected_errors))
        origin = URL.rstrip("/") + "/"
        others = [u for u in requests if not u.startswith(origin)]
        check(requests and not others, f"every request to the collector ({len(requests)})", "\n".join(others))
    finally:
        d.quit()
    print(f"1..{count}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
