"""The staff login throttle (django-axes per (username, address), archive.auth): each attack of
issue 15.4 fails, and the owner of an attacked account still logs in."""

from __future__ import annotations

import datetime
import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from archive.auth import client_ip

PASSWORD = "correct horse battery staple"
OWNER_ADDRESS = "198.51.100.7"
ATTACKER = "203.0.113.66"
PROXY = "127.0.0.1"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.TRUSTED_PROXIES = []


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice", password=PASSWORD, is_staff=True)


def login(username: str, password: str, *, ip: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **extra,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def locked(response) -> bool:
    return response.status_code == 429 and b"Too many failed login attempts" in response.content


class PasswordChecks:
    """Counts password checks (thread-safe), optionally slowing each one down."""

    def __init__(self, monkeypatch, delay: float = 0.0):
        self.count = 0
        self._lock = threading.Lock()
        real = AbstractBaseUser.check_password

        def counting(user, raw):
            with self._lock:
                self.count += 1
            if delay:
                threading.Event().wait(delay)
            return real(user, raw)

        monkeypatch.setattr(AbstractBaseUser, "check_password", counting)


@pytest.mark.django_db
def test_right_password_logs_in(alice):
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))


@pytest.mark.django_db
def test_five_failures_lock_the_pair_without_checking_passwords(alice, monkeypatch):
    checks = PasswordChecks(monkeypatch)
    for n in range(5):
        response = login("alice", f"guess {n}", ip=ATTACKER)
        assert response.status_code in (200, 429)
    assert checks.count == 5
    refused = login("alice", PASSWORD, ip=ATTACKER)  # even the right password
    assert locked(refused)
    assert refused["Retry-After"] == str(15 * 60)
    assert b"blocked until 15 minutes have passed" in refused.content
    assert checks.count == 5  # refused before the password was looked at


@pytest.mark.django_db
def test_an_attacker_never_locks_the_owner_out_of_their_usual_address(alice):
    # Attacked for an hour: 5 guesses every quarter of an hour, and then some.
    for n in range(25):
        login("alice", f"guess {n}", ip=ATTACKER)
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))
    assert locked(login("alice", PASSWORD, ip=ATTACKER))


@pytest.mark.django_db
def test_lock_ends_after_the_cool_off(alice):
    for n in range(5):
        login("alice", f"guess {n}", ip=ATTACKER)
    assert locked(login("alice", PASSWORD, ip=ATTACKER))
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert logged_in(login("alice", PASSWORD, ip=ATTACKER))


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_does_not_refuse_other_people(alice):
    for n in range(30):
        login(f"user{n}", "guess", ip=ATTACKER)
        login(f"user{n}", "guess 2", ip=ATTACKER)
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))
    # Nor the attacker's own attempts at an account they have not guessed at yet.
    assert logged_in(login("alice", PASSWORD, ip=ATTACKER))


@pytest.mark.django_db
def test_logging_in_to_ones_own_account_does_not_clear_failures_of_others(alice, monkeypatch):
    User.objects.create_user("mallory", password="mallory's own password", is_staff=True)
    checks = PasswordChecks(monkeypatch)
    for round_ in range(8):
        for n in range(4):
            login("alice", f"guess {round_}.{n}", ip=ATTACKER)
        # Interleaved: the attacker logs in to their own account from the same address.
        assert logged_in(login("mallory", "mallory's own password", ip=ATTACKER))
    # Five guesses at alice were checked (32 with the old throttle), and mallory's 8 logins.
    assert checks.count == 5 + 8
    assert locked(login("alice", PASSWORD, ip=ATTACKER))


@pytest.mark.django_db
def test_success_resets_the_owners_own_count(alice):
    for n in range(4):
        login("alice", f"typo {n}", ip=OWNER_ADDRESS)
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))
    for n in range(4):
        login("alice", f"typo again {n}", ip=OWNER_ADDRESS)
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))


# --------------------------------------------------------------------------- the client address


def _address(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], ATTACKER, "10.9.8.7", ATTACKER),  # no trusted proxy: the header is ignored
        ([PROXY], ATTACKER, "10.9.8.7", ATTACKER),  # not from the proxy: ignored
        ([PROXY], PROXY, OWNER_ADDRESS, OWNER_ADDRESS),
        ([PROXY], PROXY, f"10.9.8.7, {ATTACKER}", ATTACKER),  # forged left part is skipped
        (["127.0.0.0/8", "10.0.0.0/8"], PROXY, f"{ATTACKER}, 10.1.1.1", ATTACKER),
        ([PROXY], PROXY, None, PROXY),
        ([PROXY], PROXY, "not-an-address", PROXY),
        ([PROXY], PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_comes_from_a_trusted_proxy_only(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    assert _address(remote, forwarded) == expected


@pytest.mark.django_db
def test_behind_the_proxy_visitors_are_told_apart(alice, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(10):
        login("alice", f"guess {n}", ip=PROXY, forwarded=ATTACKER)
    # Everyone reaches gunicorn from the proxy's address; the owner is not refused with them.
    assert logged_in(login("alice", PASSWORD, ip=PROXY, forwarded=OWNER_ADDRESS))
    assert locked(login("alice", PASSWORD, ip=PROXY, forwarded=ATTACKER))


@pytest.mark.django_db
def test_a_forged_forwarded_header_buys_no_extra_guesses(alice, settings, monkeypatch):
    settings.TRUSTED_PROXIES = [PROXY]
    checks = PasswordChecks(monkeypatch)
    for n in range(20):
        login("alice", f"guess {n}", ip=ATTACKER, forwarded=f"192.0.2.{n}")
    assert checks.count == 5


# --------------------------------------------------------------------------- atomic counting


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_password_checks_than_the_limit(alice, monkeypatch):
    """40 guesses at once (each password check slowed to widen the race): at most 5 checks."""
    checks = PasswordChecks(monkeypatch, delay=0.05)
    start = threading.Barrier(40)
    statuses: list[int] = []

    def guess(n: int) -> None:
        try:
            start.wait()
            statuses.append(login("alice", f"parallel guess {n}", ip=ATTACKER).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 40
    assert checks.count == 5  # was 9 against a limit of 5
    assert statuses.count(429) >= 35
    assert logged_in(login("alice", PASSWORD, ip=OWNER_ADDRESS))
