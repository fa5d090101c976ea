"""``Retry-After`` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), clamped.

The fake server sends the header; the provider runs on virtual time (sleeps are recorded,
never taken) and an injected wall clock that the HTTP-date is measured against.
"""

from __future__ import annotations

import email.utils

import pytest

from musicrec_tui.core.similarity.service import parse_retry_after
from tests.lastfm_fake import MaxRng, VirtualTime, WallClock, error, make_provider, serve

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z
MAX = 60.0


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)  # "Tue, 14 Nov 2023 22:13:24 GMT"



@pytest.fixture
async def fake_url(aiohttp_server):
    return await serve(aiohttp_server)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 120 ", 60.0),  # clamped
        ("0", 0.0),
        ("1.5", 1.5),
        (http_date(NOW + 4), 4.0),
        (http_date(NOW - 30), 0.0),  # a date in the past: retry now
        (http_date(NOW + 86_400 * 365), 60.0),  # a year ahead: clamped
        ("Tue, 14 Nov 2023 22:13:27 -0000", 7.0),  # "-0000" → naive → read as UTC
        ("Tue, 14 Nov 2023 23:13:30 +0100", 10.0),  # numeric zone honoured
        ("Tuesday, 14-Nov-23 22:13:25 GMT", 5.0),  # obsolete RFC 850 form (MUST accept)
        ("Tue Nov 14 22:13:26 2023", 6.0),  # obsolete asctime form, implicitly GMT
        ("", None),
        (None, None),
        ("soon", None),
        ("-1", None),
        ("inf", None),
        ("nan", None),
        ("1e9", None),
        ("٣", None),  # a non-ASCII digit is not delay-seconds
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header, now=NOW, max_seconds=MAX) == expected


def test_parse_retry_after_negative_cap_means_no_wait():
    assert parse_retry_after("5", now=NOW, max_seconds=-1) == 0.0


async def test_http_date_on_429_is_honoured(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": http_date(NOW + 4)}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng())
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and fake.count("A") == 2
    assert max(vt.sleeps) == 4.0  # the date's distance, not the 0.5 s backoff


async def test_http_date_with_error_29_on_http_200(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, **{"Retry-After": http_date(NOW + 2)}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng())
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and max(vt.sleeps) == 2.0


async def test_http_date_defers_every_request_not_just_the_retry(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": http_date(NOW + 5)}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng(),
                             concurrency=1)
    start = vt.now
    result = await provider.fetch_similar(["A", "B"], limit=5)
    assert result.origin == {"A": "network", "B": "network"}
    # B's request waits behind the rate-limit pause too: no request inside the 5 s.
    assert vt.now - start >= 5.0


async def test_far_future_date_is_clamped_then_honoured(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": http_date(NOW + 86_400)}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng(),
                             retry_after_max_seconds=20.0, retry_budget_seconds=100.0)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and max(vt.sleeps) == 20.0


async def test_wait_beyond_the_retry_budget_gives_up_without_sleeping(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": http_date(NOW + 3_600)}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng(),
                             retry_after_max_seconds=60.0, retry_budget_seconds=30.0)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "failed"} and fake.count("A") == 1
    assert all(s < 1.0 for s in vt.sleeps)
    assert any("budget" in m for m in result.messages)


async def test_unparseable_retry_after_falls_back_to_backoff(fake_url, tmp_path):
    fake, url = fake_url
    fake.queue("A", error(29, status=429, **{"Retry-After": "whenever"}))
    vt = VirtualTime()
    provider = make_provider(tmp_path, url, vt=vt, wall=WallClock(NOW), rng=MaxRng(),
                             backoff_base_seconds=0.5)
    result = await provider.fetch_similar(["A"], limit=5)
    assert result.origin == {"A": "network"} and max(vt.sleeps) == 0.5
