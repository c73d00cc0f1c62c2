"""Names vulture (`make lint`, through tests/dead_code.py) cannot see used, because a framework reads them.

Each line names its owner, so mypy checks that the name still exists; vulture only needs the name. Names the
theme's templates read are found by tests/dead_code.py itself, not listed here.
"""

import tarfile

import conftest
import jinja2
import markdown_it
from browser import conftest as browser_conftest
from browser import test_scale
from selenium.webdriver.firefox.options import Options as FirefoxOptions
from snapsite.preview.server import PreviewServer, _Handler
from snapsite.preview.watch import _Changes
from snapsite.site.views.changes import RunChangeView
from snapsite.snapshot.records import BundleManifest, Manifest, Record, Selection
from snapsite.snapshot.tar_reader import _TarHeader

# http.server: the request handler's methods and settings, the server's socket family and thread policy
_Handler.do_GET, _Handler.do_HEAD, _Handler.log_message, _Handler.close_connection
_Handler.server_version, _Handler.sys_version
PreviewServer.address_family, PreviewServer.daemon_threads, PreviewServer.block_on_close
# watchdog calls its handler's on_any_event
_Changes.on_any_event
_TarHeader.fromtarfile  # tarfile makes its headers through it
# pydantic: model configuration, validators, and spec fields that are validated but never read
Record.model_config, Selection._extra_fields_obey_the_value_rules, Manifest.schema_version, BundleManifest.bundle_id
# jinja2 (site/fastjinja.py's environment class) and markdown-it (runbooks' link filter)
jinja2.Environment.code_generator_class, jinja2.Environment.make_globals
markdown_it.MarkdownIt.validateLink
# pytest hooks and markers, Selenium's Firefox options
conftest.pytest_collection_modifyitems, browser_conftest.pytest_sessionfinish, test_scale.pytestmark
FirefoxOptions.binary_location, FirefoxOptions.enable_bidi


def _instance_attributes(member: tarfile.TarInfo, change: RunChangeView) -> None:
    # tarfile: members' owner fields, set for reproducible archives, and PAX headers
    member.uid, member.gid, member.uname, member.gname, member.pax_headers
    # In the drawer data of a --since build (data/detail-*.js) though no script reads it yet: removing it would
    # change those bytes, which this refactor keeps; the run page's drawer work decides.
    change.resolved_by_runbook


_instance_attributes  # a function only to name attributes of instances, for mypy
