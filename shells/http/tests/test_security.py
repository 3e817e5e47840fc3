"""Security of portald: cookie flags, CSRF refusal, security headers, body and header limits
(a 4 GB Content-Length refused without allocation), path traversal in every path parameter,
the TLS rules of the listen address, TLS itself, graceful shutdown."""
import os
import re
import socket
import ssl
import subprocess
import time

import pytest

from conftest import PASSWORD, Client, Server, clean_env, make_data_dir, png_bytes


def raw(port, data, timeout=10):
    """Sends raw bytes, returns what came back until the server closes or `timeout`."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before reading everything
    out = b""
    start = time.time()
    try:
        while time.time() - start < timeout:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                head, _, rest = out.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Length: (\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
    except (socket.timeout, ConnectionResetError):
        pass
    finally:
        s.close()
    return out


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_session_cookie_flags(server):
    r = server.client().post("/api/session", {"login": "admin", "password": PASSWORD})
    cookie = r.header("Set-Cookie")
    assert cookie.startswith("portal_session=")
    parts = [p.strip() for p in cookie.split(";")]
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/" in parts
    assert "Secure" not in parts  # plain HTTP on loopback
    assert len(parts[0].split("=", 1)[1]) == 64


def test_security_headers_on_every_kind_of_answer(server, admin):
    for res in (admin.get("/api/studies"), server.client().get("/api/studies"),
                server.client().get("/no/such/route"), server.client().get("/healthz"),
                admin.get("/api/studies/1.2.3")):
        csp = res.header("Content-Security-Policy")
        assert csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert res.header("X-Content-Type-Options") == "nosniff"
        assert res.header("Referrer-Policy") == "no-referrer"
        assert res.header("Strict-Transport-Security") is None  # no TLS here
    assert admin.get("/api/studies").header("Cache-Control") == "no-store"


def test_csrf_token_is_required_on_state_changing_requests(server):
    c = server.client()
    c.sign_in("admin")
    uid = server.manifest["studies"][0]["study_uid"]
    r = c.request("POST", f"/api/studies/{uid}/seen", csrf=False)
    assert r.status == 403 and r.json()["error"]["code"] == "csrf"
    r = c.request("POST", f"/api/studies/{uid}/seen", headers={"X-CSRF-Token": "0" * 64})
    assert r.status == 403
    # Another session's token does not fit this one.
    other = server.client()
    other.sign_in("admin")
    r = c.request("POST", f"/api/studies/{uid}/seen", headers={"X-CSRF-Token": other.csrf})
    assert r.status == 403
    r = c.request("DELETE", "/api/session", csrf=False)
    assert r.status == 403
    assert c.get("/api/session").status == 200  # not signed out
    assert c.request("POST", f"/api/studies/{uid}/seen").status == 204
    # Uploads too.
    r = c.request("POST", "/api/uploads", files=[("files", "a.png", png_bytes())], csrf=False)
    assert r.status == 403
    # Reads need no token.
    assert c.get("/api/studies").status == 200


def test_anonymous_state_changing_requests_must_be_json(server):
    c = server.client()
    r = c.request("POST", "/api/session", body=b"login=admin&password=x",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 415
    r = c.request("POST", "/api/session", body=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status == 415


def test_bad_or_stale_cookie(server):
    c = server.client()
    c.cookie = "f" * 64
    r = c.get("/api/studies")
    assert r.status == 401 and r.json()["error"]["code"] == "unauthenticated"
    c.cookie = "f" * 64
    assert c.get("/healthz").status == 200
    c.cookie = "f" * 64
    # A public route still works and the stale cookie is cleared.
    r = c.post("/api/session", {"login": "admin", "password": PASSWORD})
    assert r.status == 200


def test_a_4_gb_content_length_is_refused_without_allocation(server, admin):
    before = rss_kib(server.proc.pid)
    for path in ("/api/uploads", "/api/session", f"/api/studies/{server.manifest['studies'][0]['study_uid']}/files"):
        req = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Cookie: portal_session={admin.cookie}\r\nX-CSRF-Token: {admin.csrf}\r\n"
               "Content-Type: multipart/form-data; boundary=xyz\r\n"
               "Content-Length: 4294967296\r\n\r\n").encode() + b"x" * 1000
        start = time.time()
        out = raw(server.port, req, timeout=10)
        assert out.startswith(b"HTTP/1.1 413"), out[:200]
        assert time.time() - start < 5
        assert b'"code":"too_large"' in out
    assert rss_kib(server.proc.pid) - before < 64 * 1024
    # A JSON route takes at most http.max_json_bytes (1 MiB).
    big = b'{"login": "' + b"a" * (2 << 20) + b'"}'
    out = raw(server.port, b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/json\r\nContent-Length: %d\r\n\r\n" % len(big) + big)
    assert out.startswith(b"HTTP/1.1 413")
    # Without Content-Length (chunked), the cap still holds while reading.
    req = (b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" +
           b"".join(b"100000\r\n" + b"a" * 0x100000 + b"\r\n" for _ in range(3)) + b"0\r\n\r\n")
    assert raw(server.port, req).startswith(b"HTTP/1.1 413")


def test_oversized_headers_are_refused(server):
    headers = "".join(f"X-Filler-{i}: {'v' * 1000}\r\n" for i in range(20))
    out = raw(server.port, f"GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert out.startswith(b"HTTP/1.1 431"), out[:100]


TRAVERSALS = ["..", "../..", "../../etc/passwd", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "..%2f..%2findex.sqlite", "1.2.3%2f..%2f..%2findex.sqlite", "....//....//etc",
              "%252e%252e%252f", "1.2.3%00", "..%5c..%5cindex.sqlite", "%c0%ae%c0%ae",
              "/etc/passwd", "1.2.3/../../../index.sqlite", "blobs"]


def test_path_traversal_in_every_path_parameter(server, admin, portald_bin):
    routes = [l.split()[:2] for l in subprocess.run(
        [portald_bin, "--print-routes"], capture_output=True, text=True, check=True
    ).stdout.splitlines()]
    defaults = {"study_uid": server.manifest["studies"][0]["study_uid"],
                "sop_uid": server.manifest["studies"][0]["series"][0]["instances"][0]["uid"],
                "id": "1", "login": "admin", "profile": "guest", "right": "export", "frame": "0"}
    checked = 0
    for method, pattern in routes:
        params = re.findall(r"{(\w+)}", pattern)
        for p in params:
            for attack in TRAVERSALS:
                path = pattern
                for q in params:
                    path = path.replace("{" + q + "}", attack if q == p else defaults[q])
                body = {} if method != "GET" else None
                r = admin.request(method, path, json_body=body)
                assert r.status in (400, 404), (method, path, r)
                text = r.body.decode("latin-1")
                assert "root:" not in text and "SQLite format" not in text
                assert r.json()["error"]["code"] in ("not_found", "invalid_argument")
                checked += 1
    assert checked > 200


def test_non_loopback_listen_needs_tls(portald_bin, tmp_path, cli_bin, studies):
    data = tmp_path / "data"
    subprocess.run([cli_bin, "init", str(data)], check=True, capture_output=True, env=clean_env())
    proc = subprocess.run([portald_bin, "--data", str(data), "--listen", "0.0.0.0:8042"],
                          capture_output=True, text=True, env=clean_env(), timeout=30)
    assert proc.returncode == 2
    assert "without TLS" in proc.stderr
    env = dict(clean_env(), PORTAL_HTTP_LISTEN="192.0.2.1:8042")
    proc = subprocess.run([portald_bin, "--data", str(data)], capture_output=True, text=True,
                          env=env, timeout=30)
    assert proc.returncode == 2 and "without TLS" in proc.stderr
    proc = subprocess.run([portald_bin, "--data", str(tmp_path / "nothing")], capture_output=True,
                          text=True, env=clean_env(), timeout=30)
    assert proc.returncode != 0 and "no portal data directory" in proc.stderr
    proc = subprocess.run([portald_bin, "--data", str(data), "--listen", "127.0.0.1:99999"],
                          capture_output=True, text=True, env=clean_env(), timeout=30)
    assert proc.returncode == 2
    proc = subprocess.run([portald_bin, "--data", str(data), "--config", str(tmp_path / "no.toml")],
                          capture_output=True, text=True, env=clean_env(), timeout=30)
    assert proc.returncode != 0 and "no configuration file" in proc.stderr
    (tmp_path / "bad.toml").write_text("[http]\nlisten_port = 3\n")
    proc = subprocess.run([portald_bin, "--data", str(data), "--config", str(tmp_path / "bad.toml")],
                          capture_output=True, text=True, env=clean_env(), timeout=30)
    assert proc.returncode == 2 and "http.listen_port" in proc.stderr


def test_tls_secure_cookie_hsts_and_graceful_stop(portald_bin, tmp_path, cli_bin, studies):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    data = make_data_dir(tmp_path, cli_bin, studies,
                         f'tls_cert = "{cert}"\ntls_key = "{key}"\nmax_json_bytes = 200\n')
    srv = Server(portald_bin, data)
    try:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=30)
        conn.request("POST", "/api/session", body=b'{"login":"admin","password":"' +
                     PASSWORD.encode() + b'"}', headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        assert "Secure" in [p.strip() for p in r.getheader("Set-Cookie").split(";")]
        assert r.getheader("Strict-Transport-Security").startswith("max-age=")
        # http.max_json_bytes from the [http] section applies.
        conn.close()
        conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=30)
        conn.request("POST", "/api/session", body=b'{"login":"' + b"a" * 300 + b'"}',
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        assert r.status == 413
        conn.close()
        # Plain HTTP on the TLS port is not served.
        out = raw(srv.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
        assert b'"status":"ok"' not in out
    finally:
        assert srv.stop() == 0
    assert "SIGTERM received" in srv.log_path.read_text()


def test_behind_a_tls_proxy_and_background_mail_delivery(portald_bin, tmp_path, cli_bin, studies):
    data = make_data_dir(tmp_path, cli_bin, studies)
    (data / "portal.toml").write_text("[http]\nmail_interval_seconds = 1\n")
    env = dict(clean_env(), PORTAL_HTTP_BEHIND_TLS_PROXY="true")
    srv = Server(portald_bin, data, env=env)
    try:
        c = srv.client()
        r = c.post("/api/session", {"login": "admin", "password": PASSWORD},
                   headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
        assert r.status == 200
        c.csrf = r.json()["csrf_token"]
        # Behind the proxy, the client is the address the proxy added last.
        events = c.get("/api/admin/audit?action=sign_in&limit=1").json()["events"]
        assert events[0]["address"] == "203.0.113.9"
        assert "Secure" in r.header("Set-Cookie")
        assert r.header("Strict-Transport-Security")
        c.post("/api/password/lost", {"login": "admin"})
        deadline = time.time() + 15
        while time.time() < deadline and not list((data / "spool").glob("*.eml")):
            time.sleep(0.2)
        assert list((data / "spool").glob("*.eml")), "the server delivers the outbox by itself"
    finally:
        assert srv.stop() == 0


def test_concurrent_upload_limit_and_upload_time_limit(portald_bin, tmp_path, cli_bin, studies):
    data = make_data_dir(tmp_path, cli_bin, studies,
                         "max_concurrent_uploads = 1\nrequest_timeout_seconds = 2\n")
    srv = Server(portald_bin, data)
    try:
        c = srv.client()
        c.sign_in("admin")
        # A slow upload holds the only slot...
        slow = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        slow.sendall((f"POST /api/uploads HTTP/1.1\r\nHost: x\r\nCookie: portal_session={c.cookie}"
                      f"\r\nX-CSRF-Token: {c.csrf}\r\n"
                      "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n"
                      "\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; "
                      "filename=\"a.dcm\"\r\n\r\n").encode() + b"x" * 1000)
        time.sleep(0.5)
        # ... so another one is told to come back later.
        r = c.request("POST", "/api/uploads", files=[("files", "b.png", png_bytes())])
        assert r.status == 503 and r.json()["error"]["code"] == "busy"
        # The slow one outlives http.request_timeout_seconds and is dropped.
        time.sleep(2.2)
        slow.sendall(b"y" * 1000)
        out = b""
        try:
            while b"\r\n\r\n" not in out:
                chunk = slow.recv(4096)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
        slow.close()
        assert out.startswith(b"HTTP/1.1 408"), out[:200]
        # The slot is free again.
        r = c.request("POST", "/api/uploads", files=[("files", "b.png", png_bytes())])
        assert r.status == 200
        assert not list((data / "http-tmp").glob("upload-*"))
    finally:
        assert srv.stop() == 0


def test_an_unread_body_is_never_taken_for_the_next_request(server):
    """A refused request's body may hold a second request (request smuggling through a
    keep-alive connection or a proxy): the server answers once and closes the connection."""
    hidden = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    multipart = (b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\"\r\n\r\n"
                 + hidden + b"\r\n--b--\r\n")
    cases = [
        b"POST /api/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
        b"boundary=b\r\nContent-Length: %d\r\n\r\n" % len(multipart) + multipart,        # 401
        b"POST /api/uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
        b"boundary=b\r\nContent-Length: 4294967296\r\n\r\n" + hidden,                       # 413
        b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Length: %d\r\n\r\n" % len(hidden) + hidden,                              # 415
    ]
    for request in cases:
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(request)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break  # closed by the server
                out += chunk
        finally:
            s.close()
        assert out.count(b"HTTP/1.1 ") == 1, out
        assert b'"status":"ok"' not in out
        assert b"Connection: close" in out


def test_dicom_receiver_started_by_portald(portald_bin, tmp_path, cli_bin, studies):
    """--dicom-port starts the C-STORE/C-ECHO receiver (PLAT-2) inside portald: what storescu
    sends is searchable over HTTP at once and counted in /metrics."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    dicom_port = probe.getsockname()[1]
    probe.close()
    data = make_data_dir(tmp_path, cli_bin, studies)
    srv = Server(portald_bin, data, extra_args=["--dicom-port", str(dicom_port)])
    try:
        assert "DICOM receiver" in srv.log_path.read_text()
        env = dict(clean_env(), TCP_NODELAY="1")
        echo = subprocess.run(["echoscu", "-aec", "PORTAL", "127.0.0.1", str(dicom_port)],
                              capture_output=True, text=True, env=env, timeout=60)
        assert echo.returncode == 0, echo.stderr
        ct = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"
        store = subprocess.run(["storescu", "-aec", "PORTAL", "-aet", "MODALITY", "127.0.0.1",
                                str(dicom_port), ct], capture_output=True, text=True, env=env,
                               timeout=60)
        assert store.returncode == 0, store.stderr
        c = srv.client()
        c.sign_in("admin")
        import pydicom
        uid = pydicom.dcmread(ct).StudyInstanceUID
        study = c.get(f"/api/studies/{uid}")
        assert study.status == 200 and study.json()["repository"] == "dicom:MODALITY"
        text = c.get("/metrics").body.decode()
        assert 'portal_ingest_files_total{source="dicom",status="stored"} 1' in text
        assert "portal_dicom_echoes_total 1" in text
    finally:
        assert srv.stop() == 0
