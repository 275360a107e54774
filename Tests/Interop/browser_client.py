#!/usr/bin/env python3
"""A browser's WebSocket as a client for the interop tests of our server: headless Debian Chromium
driven by Selenium through chromium-driver, running whatwg_scenarios.js in a blank page.

    browser_client.py --url ws://127.0.0.1:PORT/PATH --scenario echo|subprotocol|close
                      [--protocols a,b] [--cacert PEM] [--largest BYTES] [--timeout SECONDS]

The scenarios are those of python_client.py but `headers` (a page cannot see the handshake
response). The page is about:blank, an opaque origin: Chromium sends `Origin: null` (the report's
`origin` is the page's) and offers `permessage-deflate; client_max_window_bits`.

Chromium runs with a HOME of its own, whose NSS database trusts the --cacert root (made with
certutil, Debian libnss3-tools): certificates are verified as for any root a user added, host
name included.

Prints one JSON object on stdout, that of python_client.py plus `origin` (the page's) and `timings`
({browserStartMs, scenarioMs}), and exits 0 once the scenario ran, whatever it saw. Exits non-zero
with a message on stderr when it could not run or did not finish in time. SIGTERM quits the
browser; the script leads its own process group, so that after a SIGKILL `kill -KILL -PID` ends
chromedriver and Chromium too.
"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
except ImportError:
    print("browser_client.py: selenium is not installed; run scripts/install-peers", file=sys.stderr)
    sys.exit(3)

SCENARIOS_JS = pathlib.Path(__file__).with_name("whatwg_scenarios.js")

# Runs in the page: whatwg_scenarios.js's text comes before it, in the same function body.
RUN_JS = """
const done = arguments[arguments.length - 1];
runScenario(arguments[0], {
    open: (url, protocols) => new WebSocket(url, protocols),
    extensions: (socket) => socket.extensions,
}).then(
    (report) => done({ report, origin: self.origin }),
    (error) => done({ failure: String((error && error.message) || error) }));
"""


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--scenario", required=True, choices=["echo", "subprotocol", "close"])
    parser.add_argument("--protocols", default="", help="comma-separated, in order of preference")
    parser.add_argument("--cacert", help="PEM file: the root to trust for wss")
    parser.add_argument("--largest", type=int, default=16 << 20, help="largest echo message")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the scenario")
    return parser.parse_args()


def fail(message, status=1):
    print(f"browser_client.py: {message}", file=sys.stderr)
    sys.exit(status)


def find(program, package):
    path = shutil.which(program)
    if path is None:
        fail(f"{program} is not on PATH (Debian {package}); run scripts/install-peers", 3)
    return path


def make_home(cacert):
    """A fresh HOME for Chromium, whose NSS database ($HOME/.pki/nssdb, where Chromium on Linux
    looks for roots a user added) trusts `cacert` for TLS servers when given."""
    home = tempfile.mkdtemp(prefix="browser-client-")
    if cacert:
        database = f"sql:{home}/.pki/nssdb"
        os.makedirs(f"{home}/.pki/nssdb")
        certutil = find("certutil", "libnss3-tools")
        for command in (
            [certutil, "-N", "-d", database, "--empty-password"],
            [certutil, "-A", "-d", database, "-n", "interop test root", "-t", "C,,", "-i", cacert],
        ):
            completed = subprocess.run(command, capture_output=True, text=True)
            if completed.returncode != 0:
                shutil.rmtree(home, ignore_errors=True)
                fail(f"{' '.join(command)}: {completed.stderr.strip()}")
    return home


def chromium_options(arguments):
    options = webdriver.ChromeOptions()
    options.binary_location = find("chromium", "chromium")
    options.add_argument("--headless=new")
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to start its sandbox as root
    options.add_argument("--no-proxy-server")  # never a proxy from the environment: loopback only
    options.add_argument("--disable-gpu")
    # Chromium's Local Network Access checks block a page of an opaque origin (about:blank) from
    # connecting to 127.0.0.1 (net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS), and a headless
    # browser cannot be asked for the permission.
    options.add_argument("--disable-features=LocalNetworkAccessChecks")
    return options


def run(arguments, scenario, home):
    script = SCENARIOS_JS.read_text() + RUN_JS
    launched = time.monotonic()
    try:
        # A Service with the driver's path keeps Selenium Manager, which would download one, away.
        driver = webdriver.Chrome(
            service=Service(
                executable_path=find("chromedriver", "chromium-driver"),
                log_output=sys.stderr,
                env=dict(os.environ, HOME=home),
            ),
            options=chromium_options(arguments),
        )
    except WebDriverException as error:
        fail(f"chromium did not start: {error.msg or error}")
    try:
        browser_start = time.monotonic() - launched
        driver.set_script_timeout(arguments.timeout)
        driver.get("about:blank")
        started = time.monotonic()
        try:
            outcome = driver.execute_async_script(script, scenario)
        except TimeoutException:
            fail(f"{arguments.scenario} did not finish within {arguments.timeout:g} s")
        if "failure" in outcome:
            fail(outcome["failure"])
        report = {
            "client": f"Chromium {driver.capabilities.get('browserVersion', '?')}",
            **outcome["report"],
            "origin": outcome["origin"],
            "timings": {
                "browserStartMs": round(browser_start * 1000),
                "scenarioMs": round((time.monotonic() - started) * 1000),
            },
        }
    finally:
        driver.quit()
    print(json.dumps(report), flush=True)


def main():
    arguments = parse_arguments()
    # Foundation's Process starts children with SIGTERM blocked (Dispatch's threads block it):
    # unblock it, and turn it into an exit that quits the browser rather than leaving it behind.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Chromium outlives a killed chromedriver, and chromedriver a killed us: leading a process
    # group of our own lets a caller that had to SIGKILL us end the whole browser (kill(-pid)).
    os.setpgid(0, 0)
    scenario = {
        "url": arguments.url,
        "scenario": arguments.scenario,
        "protocols": [name for name in arguments.protocols.split(",") if name],
        "largest": arguments.largest,
    }
    home = make_home(arguments.cacert)
    try:
        run(arguments, scenario, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
