"""Fixtures for the portald tests: one real server on loopback over a real data directory with
generated studies, and a small HTTP client (http.client only: no PyPI)."""
import email
import glob
import http.client
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import uuid
import zlib
import struct

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "data"))

PASSWORD = "Vp9#kLm2$Qx7zR"


def binary(var):
    path = os.environ.get(var)
    if not path:
        pytest.fail(f"set {var} (see the Makefile target test-http)")
    path = pathlib.Path(path).resolve()
    assert path.is_file() and os.access(path, os.X_OK), f"{var}={path} is not executable"
    return str(path)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all_headers(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """A browser-like (cookie + CSRF) or API (bearer) client of one server."""

    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.cookie = None
        self.csrf = None
        self.bearer = None

    def request(self, method, path, body=None, json_body=None, headers=None, files=None,
                fields=None, csrf=True, content_type=None):
        hdrs = dict(headers or {})
        data = body
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif files is not None or fields is not None:
            data, ctype = multipart(files or [], fields or {})
            hdrs["Content-Type"] = ctype
        elif method not in ("GET", "HEAD") and data is None:
            hdrs.setdefault("Content-Type", content_type or "application/json")
        if self.cookie:
            hdrs["Cookie"] = f"portal_session={self.cookie}"
            if csrf and self.csrf and method not in ("GET", "HEAD"):
                hdrs.setdefault("X-CSRF-Token", self.csrf)
        if self.bearer:
            hdrs["Authorization"] = f"Bearer {self.bearer}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            out = Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for value in out.all_headers("Set-Cookie"):
            m = re.match(r"portal_session=([^;]*)", value)
            if m:
                self.cookie = m.group(1) or None
        return out

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body=json_body, **kw)

    def put(self, path, json_body=None, **kw):
        return self.request("PUT", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def sign_in(self, login, password=PASSWORD):
        r = self.post("/api/session", {"login": login, "password": password})
        assert r.status == 200, r
        self.csrf = r.json()["csrf_token"]
        return r

    def patient_sign_in(self, accession, birth_date):
        r = self.post("/api/session/patient", {"accession": accession, "birth_date": birth_date})
        assert r.status == 200, r
        self.csrf = r.json()["csrf_token"]
        return r


def multipart(files, fields):
    boundary = "----portaltest" + uuid.uuid4().hex
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{value}\r\n").encode()
    for field, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ).encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


def png_bytes(width=16, height=16, seed=0):
    """A small greyscale PNG made with zlib only."""
    raw = b"".join(b"\x00" + bytes((x * 16 + y * 4 + seed) % 256 for x in range(width))
                   for y in range(height))
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Server:
    """portald on a fresh data directory, listening on 127.0.0.1 (random port)."""

    def __init__(self, portald, data_dir, extra_args=(), env=None):
        self.portald = portald
        self.data_dir = str(data_dir)
        self.log_path = pathlib.Path(self.data_dir) / "portald.stderr"
        self.stderr = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
            [portald, "--data", self.data_dir, "--listen", "127.0.0.1:0", *extra_args],
            stdout=subprocess.DEVNULL, stderr=self.stderr, env=env or clean_env())
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            text = self.log_path.read_text()
            m = re.search(r"listening on https?://127\.0\.0\.1:(\d+)", text)
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                raise AssertionError(f"portald exited {self.proc.returncode}: {text}")
            else:
                time.sleep(0.05)
        assert self.port, "portald did not start"

    def client(self):
        return Client(self.port)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        self.stderr.close()
        return code


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}


def run_cli(cli, data_dir, *args, stdin=None):
    proc = subprocess.run([cli, "--data", str(data_dir), *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=clean_env(), timeout=600)
    assert proc.returncode in (0, 3), f"portal {args}: {proc.returncode}\n{proc.stderr}"
    return proc


def mails(data_dir, to=None):
    """Delivered mails (spool .eml files), oldest first, as (to, subject, body)."""
    out = []
    for path in sorted(glob.glob(os.path.join(data_dir, "spool", "*.eml")), key=os.path.getmtime):
        msg = email.message_from_bytes(pathlib.Path(path).read_bytes())
        body = msg.get_payload(decode=True)
        if body is None:
            body = b"".join(p.get_payload(decode=True) or b"" for p in msg.walk()
                            if not p.is_multipart())
        entry = (msg["To"], str(email.header.make_header(email.header.decode_header(msg["Subject"]))),
                 body.decode("utf-8", "replace"))
        if to is None or to.lower() in entry[0].lower():
            out.append(entry)
    return out


def wait_for_token(data_dir, to, kind_path, timeout=20):
    """The token of the newest link `.../<kind_path>?token=X` mailed to `to`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for _, _, body in reversed(mails(data_dir, to)):
            m = re.search(re.escape(kind_path) + r"\?token=([0-9a-f]+)", body)
            if m:
                return m.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no {kind_path} mail to {to}")


@pytest.fixture(scope="session")
def portald_bin():
    return binary("PORTALD")


@pytest.fixture(scope="session")
def cli_bin():
    return binary("PORTAL_CLI")


@pytest.fixture(scope="session")
def studies(tmp_path_factory):
    import gen_studies
    out = tmp_path_factory.mktemp("studies")
    manifest = gen_studies.generate(str(out), preset="test", seed=1)
    return out, manifest


def make_data_dir(tmp, cli_bin, studies, config=""):
    folder, manifest = studies
    data = tmp / "data"
    run_cli(cli_bin, data, "init")
    (data / "portal.toml").write_text(
        "[http]\nmail_interval_seconds = 3600\naccess_log = \"" + str(tmp / "access.log") + "\"\n"
        + config)
    run_cli(cli_bin, data, "ingest", *[str(p) for p in sorted(folder.iterdir()) if p.is_dir()])
    run_cli(cli_bin, data, "admin", "create", "admin", "--email", "admin@example.org",
            "--password-stdin", stdin=PASSWORD + "\n")
    return data


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="session")
def server(tmp_path_factory, portald_bin, cli_bin, studies):
    tmp = tmp_path_factory.mktemp("portald")
    # The DICOM node studies are sent to: portald's own receiver (loopback only), so a send
    # stores duplicates, acknowledged as success.
    dicom_port = free_port()
    data = make_data_dir(tmp, cli_bin, studies,
                         f'\n[[dicom.nodes]]\nname = "archive"\naet = "PORTAL"\n'
                         f'host = "127.0.0.1"\nport = {dicom_port}\n')
    srv = Server(portald_bin, data, extra_args=["--dicom-port", str(dicom_port)])
    srv.access_log = tmp / "access.log"
    srv.manifest = studies[1]
    yield srv
    assert srv.stop() == 0, "portald did not stop cleanly on SIGTERM"


@pytest.fixture(scope="session")
def admin(server):
    c = server.client()
    c.sign_in("admin")
    return c


def deliver(cli_bin, data_dir):
    """Runs the outbox delivery (the server's own pass runs hourly in these tests)."""
    run_cli(cli_bin, data_dir, "mail", "deliver")
