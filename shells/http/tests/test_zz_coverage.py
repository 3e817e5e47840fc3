"""Runs last (file order): every route of the server's table was exercised with a successful
answer by this suite, as the server's own /metrics counts it; and docs/openapi.yaml lists
exactly the routes of the table, both ways."""
import re
import subprocess

from conftest import REPO


def table(portald_bin):
    out = subprocess.run([portald_bin, "--print-routes"], capture_output=True, text=True,
                         check=True).stdout
    return {" ".join(l.split()[:2]) for l in out.splitlines()}


def openapi_routes():
    routes, path = set(), None
    for line in (REPO / "docs" / "openapi.yaml").read_text().splitlines():
        m = re.match(r"^  (/\S*):$", line)
        if m:
            path = m.group(1)
            continue
        m = re.match(r"^    (get|post|put|patch|delete):$", line)
        if m and path:
            routes.add(f"{m.group(1).upper()} {path}")
        elif re.match(r"^\S", line):
            path = None
    return routes


def test_openapi_lists_exactly_the_route_table(portald_bin):
    served, documented = table(portald_bin), openapi_routes()
    assert documented == served, (f"undocumented: {sorted(served - documented)}; "
                                  f"documented but not served: {sorted(documented - served)}")


def test_every_route_was_exercised_successfully(server, portald_bin):
    text = server.client().get("/metrics").body.decode()
    ok = set(re.findall(r'portal_http_requests_total\{route="([^"]+)",status="2xx"\}', text))
    missing = table(portald_bin) - ok
    assert not missing, f"routes never answered 2xx in this suite: {sorted(missing)}"
