"""Time-dependent account rules through Python, with portal.ManualClock: session idle and
absolute timeouts, grant expiry, lockout expiry, link expiry, mail retry backoff."""

import datetime

import pytest

from conftest import OTHER_PASSWORD, PASSWORD, open_accounts_portal, portal, spooled_link_token

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def clocked(tmp_path):
    clock = portal.ManualClock(START)
    p = open_accounts_portal(tmp_path / "data", clock=clock, session_idle_minutes=30,
                             session_absolute_minutes=120, lockout_failures=2,
                             lockout_minutes=15, reset_expiry_minutes=15)
    return p, clock


def test_manual_clock_moves_only_when_told():
    clock = portal.ManualClock(START)
    assert clock.now() == START and clock.now().tzinfo is not None
    clock.advance(datetime.timedelta(days=1, microseconds=7))
    assert clock.now() == START + datetime.timedelta(days=1, microseconds=7)
    clock.advance(-datetime.timedelta(days=1))
    clock.set(datetime.datetime(2030, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2030 and "2030-01-01" in repr(clock)
    naive = datetime.datetime(2026, 5, 1, 12, 0)
    assert portal.ManualClock(naive).now() == naive.astimezone(UTC)  # naive = local time
    assert abs(portal.ManualClock().now() - datetime.datetime.now(UTC)).total_seconds() < 5
    with pytest.raises(TypeError):
        clock.advance(60)
    with pytest.raises(TypeError):
        clock.set("2026-01-01")
    with pytest.raises(TypeError):
        portal.open("/tmp/unused-portal-dir", clock="now")


def test_the_portal_uses_the_clock(clocked):
    p, _ = clocked
    user = p.system_session().find_user("admin")
    assert user.created_at.startswith("2026-03-02T09:30:00")
    assert p.system_session().audit()[0].at.startswith("2026-03-02T09:30:00")


def test_idle_session_ends_and_use_keeps_it_alive(clocked):
    p, clock = clocked
    s = p.sign_in("admin", PASSWORD)
    for _ in range(4):  # two hours minus a bit, used every 25 minutes
        clock.advance(25 * MINUTE)
        s.find_studies()
    clock.advance(31 * MINUTE)
    with pytest.raises(portal.UnauthenticatedError):
        s.find_studies()
    with pytest.raises(portal.UnauthenticatedError):
        p.resume(s.token)


def test_session_ends_after_the_absolute_limit(clocked):
    p, clock = clocked
    s = p.sign_in("admin", PASSWORD)
    for _ in range(4):
        clock.advance(29 * MINUTE)
        p.resume(s.token).profile()
    clock.advance(5 * MINUTE)  # 121 minutes after sign-in, 5 after last use
    with pytest.raises(portal.UnauthenticatedError):
        s.profile()


def test_grant_expires(clocked, dataset):
    p, clock = clocked
    m = dataset.studies[0]
    p.system_session().ingest(str(dataset.dir / m["path"]))
    admin = p.sign_in("admin", PASSWORD)
    admin.add_user("visitor", PASSWORD, emails="visitor@example.org", profile="guest")
    guest = p.sign_in("visitor", PASSWORD)
    grant = admin.grant_study(m["study_uid"], "visitor", expires=clock.now() + 10 * MINUTE)
    assert grant.expires_at == "2026-03-02T09:40:00.000Z"
    assert [s.uid for s in guest.find_studies()] == [m["study_uid"]]
    clock.advance(11 * MINUTE)
    assert guest.find_studies().total == 0
    with pytest.raises(portal.NotFoundError):
        guest.study(m["study_uid"])
    (listed,) = admin.study_grants(m["study_uid"])
    assert not listed.active and listed.revoked_at == ""


def test_lockout_ends_after_lockout_minutes(clocked):
    p, clock = clocked
    for _ in range(2):
        with pytest.raises(portal.UnauthenticatedError):
            p.sign_in("admin", "Not-The-Password-1")
    with pytest.raises(portal.UnauthenticatedError, match="locked"):
        p.sign_in("admin", PASSWORD)
    clock.advance(16 * MINUTE)
    assert p.sign_in("admin", PASSWORD).profile() == "administrator"


def test_password_reset_link_expires(clocked, tmp_path):
    p, clock = clocked
    p.request_password_reset("admin")
    p.deliver_mail()
    token = spooled_link_token(tmp_path / "data", "admin@example.org", "/reset-password")
    clock.advance(16 * MINUTE)
    with pytest.raises(portal.NotFoundError):
        p.reset_password(token, OTHER_PASSWORD)


def test_audit_time_bounds_follow_the_clock(clocked):
    p, clock = clocked
    clock.advance(datetime.timedelta(days=1))
    p.sign_in("admin", PASSWORD)
    s = p.system_session()
    day2 = START + datetime.timedelta(days=1)
    assert [e.action for e in s.audit(from_=day2)] == ["sign_in"]
    assert [e.action for e in s.audit(to=START.date())] == ["first_administrator"]
    assert [e.action for e in s.audit(from_="2026-03-03", to="20260303")] == ["sign_in"]


def test_failed_smtp_delivery_is_retried_with_backoff(tmp_path):
    clock = portal.ManualClock(START)
    # Port 1 on loopback: refused at once, a temporary failure.
    p = open_accounts_portal(tmp_path / "data", clock=clock, smtp_host="127.0.0.1", smtp_port=1,
                             smtp_timeout_seconds=5, mail_retry_seconds=60, mail_max_attempts=2)
    s = p.system_session()
    p.request_password_reset("admin")
    first = p.deliver_mail()
    assert (first.attempted, first.sent, first.retrying) == (1, 0, 1)
    (message,) = s.mail("pending")
    assert message.attempts == 1 and message.last_error
    assert message.next_attempt_at.startswith("2026-03-02T09:31:00")
    assert p.deliver_mail().attempted == 0  # not due yet
    s.retry_mail(message.id)  # due now
    second = p.deliver_mail()
    assert (second.attempted, second.failed) == (1, 1)  # out of attempts
    (failed,) = s.mail("failed")
    assert failed.id == message.id and failed.attempts == 2 and failed.next_attempt_at == ""


def test_audit_datetime_bounds_keep_milliseconds(clocked):
    p, clock = clocked
    clock.advance(datetime.timedelta(hours=1, milliseconds=500))
    p.sign_in("admin", PASSWORD)
    s = p.system_session()
    at = START + datetime.timedelta(hours=1, milliseconds=500)
    assert s.audit(action="sign_in")[0].at == "2026-03-02T10:30:00.500Z"
    ms = datetime.timedelta(milliseconds=100)
    assert len(s.audit(action="sign_in", from_=at - ms)) == 1
    assert len(s.audit(action="sign_in", from_=at + ms)) == 0
    assert len(s.audit(action="sign_in", to=at)) == 1
    assert len(s.audit(action="sign_in", to=at - ms)) == 0
    local = at.astimezone().replace(tzinfo=None)  # naive = local time
    assert len(s.audit(action="sign_in", from_=local, to=local)) == 1
