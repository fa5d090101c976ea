"""Simulate the demo's music plays as columns of numpy arrays (no per-play Python).

The simulation works in listening **sessions**: each has a start time, a kind and a
length. General sessions follow a daily and weekly rhythm and mix a couple of "focus"
artists with the background popularity of that month (which drifts over the years);
planted sessions carry the ground truth:

* weekday-morning and weekend-late-night sessions play mostly their context's artists,
* co-listened group sessions play mostly one group's artists (and those artists play
  nowhere else),
* rising and fading artists follow a time profile inside the monthly popularity.

Plays within a session run back to back (``ts`` is the end of each play); sessions are
pushed apart so at least ``SESSION_BREAK_MS`` separates them, longer than the importer's
default 30-minute session gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from musicrec_tui.core.demo.catalog import GROUPS, Catalog

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
# Gap that always separates two sessions; the importer's default session gap is 30 min.
SESSION_BREAK_MS = 35 * MINUTE_MS

KIND_GENERAL, KIND_MORNING, KIND_NIGHT, KIND_GROUP = 0, 1, 2, 3  # group g is KIND_GROUP + g

# Planted contexts, in the demo's timezone (UTC). Monday = 0.
MORNING_DOWS, MORNING_HOURS = (0, 1, 2, 3, 4), (7, 8)
NIGHT_DOWS, NIGHT_HOURS = (5, 6), (22, 23, 0, 1)
CONTEXT_SHARE = 0.06  # share of all plays in each planted context's sessions
CONTEXT_FOCUS = 0.75  # share of a context session's plays given to its artists
CONTEXT_WEIGHTS = np.array([0.34, 0.26, 0.22, 0.18])
GROUP_SESSION_SHARE = 0.03  # share of general sessions that belong to each group
GROUP_FOCUS = 0.8
GENERAL_FOCUS = 0.5  # share of a general session's plays going to its two focus artists
# Rising artists ramp up from nothing over the last RAMP_MONTHS to a new obsession;
# fading artists, former favourites, decline to almost nothing over the same window.
# Levels are multiples of the top background artist's weight in per-play draws (trend
# artists skip the session-focus draws, about half of all plays, hence the factor 2).
RAMP_MONTHS = 8
RISING_LEVEL = 3.0
FADING_LEVEL = 2.0

# Daily rhythm of general sessions (relative weight per hour, local = UTC), used per
# two-hour block.
BLOCK_MS = 2 * HOUR_MS
BLOCKS = 12
_WEEKDAY_HOURS = np.array([0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.4, 0.8, 1.0, 0.9, 0.8, 0.8,
                           1.0, 1.0, 0.9, 0.9, 1.0, 1.3, 1.5, 1.6, 1.6, 1.4, 1.1, 0.7])
_WEEKEND_HOURS = np.array([0.9, 0.6, 0.35, 0.15, 0.08, 0.05, 0.08, 0.15, 0.3, 0.6, 0.9, 1.1,
                           1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2])
_WEEKDAY_BLOCKS = _WEEKDAY_HOURS.reshape(BLOCKS, 2).sum(axis=1)
_WEEKEND_BLOCKS = _WEEKEND_HOURS.reshape(BLOCKS, 2).sum(axis=1)

END_TRACKDONE, END_FWDBTN, END_BACKBTN, END_ENDPLAY, END_TRACKERROR = range(5)
END_LOGOUT, END_UNEXPECTED = 5, 6
REASON_END = ("trackdone", "fwdbtn", "backbtn", "endplay", "trackerror", "logout",
              "unexpected-exit")
START_CLICKROW, START_PLAYBTN, START_APPLOAD, START_REMOTE = 5, 6, 7, 8
# reason_start codes 0-4 follow the previous play's reason_end (a track that finished starts
# the next with trackdone, a skip with fwdbtn, a stop is followed by a pick from a list).
REASON_START = ("trackdone", "fwdbtn", "backbtn", "clickrow", "trackerror", "clickrow",
                "playbtn", "appload", "remote")
PLATFORMS = ("android", "windows", "ios", "osx", "linux", "web_player")
_PLATFORM_P = (0.5, 0.22, 0.12, 0.08, 0.03, 0.05)
COUNTRIES = ("DE", "FR", "ES", "NL", "US", "ZZ")
_COUNTRY_P = (0.93, 0.02, 0.02, 0.015, 0.01, 0.005)


@dataclass
class Plays:
    """One entry per music play, in time order."""

    end_ms: np.ndarray  # epoch ms at which the play ended
    artist: np.ndarray
    track: np.ndarray
    ms_played: np.ndarray
    reason_start: np.ndarray
    reason_end: np.ndarray
    shuffle: np.ndarray
    offline: np.ndarray
    incognito: np.ndarray
    platform: np.ndarray
    country: np.ndarray


def _calendar(start_ms: int, end_ms: int) -> tuple[np.ndarray, np.ndarray]:
    days = max(1, -(-(end_ms - start_ms) // DAY_MS))
    day_ms = start_ms + DAY_MS * np.arange(days, dtype=np.int64)
    dow = (day_ms // DAY_MS + 3) % 7  # 1970-01-01 was a Thursday
    return day_ms, dow


def month_index(ms: np.ndarray, start_ms: int) -> np.ndarray:
    months = ms.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
    first = np.datetime64(start_ms, "ms").astype("datetime64[M]").astype(np.int64)
    return months - first


def _context_sessions(rng, day_ms, dow, music, density) -> tuple[np.ndarray, ...]:
    """Start times, kinds and lengths of the planted morning and late-night sessions, and
    the (day, block) cells they occupy."""
    length = float(np.clip(density / 10, 6, 16))
    wanted = max(3, round(CONTEXT_SHARE * music / length))
    weekdays = np.flatnonzero(np.isin(dow, MORNING_DOWS))
    mornings = rng.choice(weekdays, size=min(wanted, int(0.9 * len(weekdays))), replace=False)
    weekend = np.flatnonzero(np.isin(dow, NIGHT_DOWS))
    # Two slots a weekend day: just after midnight (block 0) and late evening (block 11).
    slot_day = np.concatenate((weekend, weekend))
    slot_block = np.repeat([0, BLOCKS - 1], len(weekend))
    nights = rng.choice(len(slot_day), size=min(wanted, int(0.9 * len(slot_day))), replace=False)
    night_late = slot_block[nights] > 0
    starts = np.concatenate((
        day_ms[mornings] + 7 * HOUR_MS + rng.integers(0, 75 * MINUTE_MS, size=len(mornings)),
        day_ms[slot_day[nights]] + np.where(night_late, 22 * HOUR_MS, 0)
        + rng.integers(0, 60 * MINUTE_MS, size=len(nights)),
    ))
    kinds = np.repeat([KIND_MORNING, KIND_NIGHT], [len(mornings), len(nights)])
    lengths = 1 + rng.poisson(length - 1, size=len(starts))
    # A morning session (7-9 h) straddles the 6-8 h and 8-10 h blocks.
    busy_day = np.concatenate((mornings, mornings, slot_day[nights]))
    busy_block = np.concatenate((np.full(len(mornings), 3), np.full(len(mornings), 4),
                                 slot_block[nights]))
    return starts, kinds, lengths, (busy_day, busy_block)


def _general_sessions(rng, day_ms, dow, plays, density, busy) -> tuple[np.ndarray, ...]:
    """Ordinary sessions. Each day's sessions take distinct two-hour blocks, drawn by the
    daily rhythm (Gumbel top-k), so sessions rarely collide even for heavy listeners."""
    length = float(np.clip(density / 7, 6, 24))
    count = max(1, round(plays / length))
    weekend = dow >= 5
    day_p = np.where(weekend, 1.15, 1.0)
    free = np.ones((len(day_ms), BLOCKS), dtype=bool)
    free[busy] = False
    per_day = np.minimum(rng.multinomial(count, day_p / day_p.sum()), free.sum(axis=1))
    keys = np.log(np.where(weekend[:, None], _WEEKEND_BLOCKS, _WEEKDAY_BLOCKS))
    keys = np.where(free, keys + rng.gumbel(size=free.shape), -np.inf)
    order = np.argsort(-keys, axis=1, kind="stable")
    day, rank = np.nonzero(np.arange(BLOCKS)[None, :] < per_day[:, None])
    block = order[day, rank]
    count = len(day)
    starts = (day_ms[day] + block * BLOCK_MS
              + rng.integers(0, BLOCK_MS - SESSION_BREAK_MS, size=count) // 2)
    kinds = np.full(count, KIND_GENERAL)
    groups = rng.random(count)
    for g in range(GROUPS):
        pick = (groups >= g * GROUP_SESSION_SHARE) & (groups < (g + 1) * GROUP_SESSION_SHARE)
        kinds[pick] = KIND_GROUP + g
    return starts, kinds, np.minimum(rng.geometric(1 / length, size=count), 3 * round(length))


def _exact_total(rng, lengths: np.ndarray, total: int) -> np.ndarray:
    """Add or remove plays at random (never a session's first, so none empties) so the
    lengths sum to ``total``."""
    diff = total - int(lengths.sum())
    if diff > 0:
        return lengths + np.bincount(rng.integers(0, len(lengths), size=diff),
                                     minlength=len(lengths))
    if diff < 0:
        owner = np.repeat(np.arange(len(lengths)), lengths)
        first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        removable = np.setdiff1d(np.arange(len(owner)), first)
        drop = rng.choice(removable, size=-diff, replace=False)
        keep = np.ones(len(owner), dtype=bool)
        keep[drop] = False
        return np.bincount(owner[keep], minlength=len(lengths))
    return lengths


def _monthly_weights(rng, cat: Catalog, months: int) -> np.ndarray:
    """Background popularity per month × artist, with the planted trends."""
    n = cat.size
    x = np.linspace(0.0, 1.0, months)[:, None]
    # Slow taste drift: a trend over the whole span plus a multi-year swell; kept small
    # for the top ranks so only planted artists move sharply near the end.
    slope = rng.normal(0.0, 0.8, size=n)
    amp = rng.uniform(0.0, 0.3, size=n) * np.minimum(1.0, (np.arange(n) + 1) / 30)
    period = rng.uniform(36, 96, size=n) / max(months, 1)
    phase = rng.uniform(0, 2 * np.pi, size=n)
    w = cat.zipf * np.exp(slope * (x - 0.5) + amp * np.sin(2 * np.pi * x / period + phase))
    # Library growth: 40 % of the tail is discovered at some point before the last year.
    if months > 13:
        late = (np.arange(n) >= 200) & (rng.random(n) < 0.4)
        onset = np.where(late, rng.integers(0, months - 12, size=n), 0)
        w[np.arange(months)[:, None] < onset] = 0.0
    m = np.arange(months)[:, None]
    last = months - 1
    ramp = np.clip((m - (last - RAMP_MONTHS)) / RAMP_MONTHS, 0.0, 1.0) ** 1.3
    fade = np.clip((last - m) / (RAMP_MONTHS - 1), 0.03, 1.0)
    w[:, cat.rising] = RISING_LEVEL * cat.zipf[0] * ramp
    w[:, cat.fading] = FADING_LEVEL * cat.zipf[0] * fade
    w[:, np.concatenate(cat.contexts + cat.groups)] = 0.0
    return w


def _flat_cdf(w: np.ndarray) -> np.ndarray:
    """Per-month CDFs flattened into one increasing array (month ``m`` offset by ``m``), so
    one ``searchsorted`` draws every play of every month."""
    cdf = np.cumsum(w, axis=1)
    cdf /= cdf[:, -1:]
    return (cdf + np.arange(len(w))[:, None]).ravel()


def _background(cdf_flat: np.ndarray, n: int, month: np.ndarray, u: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(cdf_flat, month + u, side="right") - month * n
    return np.minimum(idx, n - 1)


def simulate(rng: np.random.Generator, cat: Catalog, music: int, start_ms: int,
             end_ms: int) -> Plays:
    day_ms, dow = _calendar(start_ms, end_ms)
    density = music / len(day_ms)
    c_start, c_kind, c_len, busy = _context_sessions(rng, day_ms, dow, music, density)
    g_start, g_kind, g_len = _general_sessions(rng, day_ms, dow, max(music - int(c_len.sum()), 1),
                                               density, busy)
    starts = np.concatenate((c_start, g_start))
    order = np.argsort(starts, kind="stable")
    starts, kinds = starts[order], np.concatenate((c_kind, g_kind))[order]
    lengths = _exact_total(rng, np.concatenate((c_len, g_len))[order], music)
    sessions = len(starts)

    session = np.repeat(np.arange(sessions), lengths)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    is_first = np.zeros(music, dtype=bool)
    is_first[first] = True
    is_last = np.zeros(music, dtype=bool)
    is_last[first + lengths - 1] = True
    kind = kinds[session]

    months = int(month_index(np.array([end_ms - 1]), start_ms)[0]) + 1
    weights = _monthly_weights(rng, cat, months)
    cdf = _flat_cdf(weights)
    # Trend artists are never a session's focus: their monthly counts then follow the
    # planted profile closely instead of jumping with the odd long session.
    weights[:, np.concatenate((cat.rising, cat.fading))] = 0.0
    focus_cdf = _flat_cdf(weights)
    s_month = month_index(starts, start_ms)
    month = s_month[session]
    artist = _background(cdf, cat.size, month, rng.random(music))
    focus = _background(focus_cdf, cat.size, np.repeat(s_month, 2), rng.random(2 * sessions))
    u = rng.random(music)
    general = (kind == KIND_GENERAL) & (u < GENERAL_FOCUS)
    artist[general] = focus[2 * session[general] + rng.integers(0, 2, size=int(general.sum()))]
    for k, ids in ((KIND_MORNING, cat.contexts[0]), (KIND_NIGHT, cat.contexts[1])):
        sel = (kind == k) & (u < CONTEXT_FOCUS)
        artist[sel] = rng.choice(ids, size=int(sel.sum()), p=CONTEXT_WEIGHTS)
    for g, ids in enumerate(cat.groups):
        sel = (kind == KIND_GROUP + g) & (u < GROUP_FOCUS)
        artist[sel] = rng.choice(ids, size=int(sel.sum()))
    # Hits first: a squared uniform favours each artist's low-numbered tracks.
    track = cat.track_first[artist] + (cat.track_count[artist]
                                       * rng.random(music) ** 2).astype(np.int64)
    duration = cat.track_ms[track]

    reason_end, ms_played = _outcomes(rng, cat.skip_rate[artist], duration, is_last)
    reason_start = np.where(is_first,
                            rng.choice([START_CLICKROW, START_PLAYBTN, START_APPLOAD, START_REMOTE],
                                       size=music, p=[0.55, 0.2, 0.15, 0.1]),
                            np.roll(reason_end, 1))

    fixed = (kinds == KIND_MORNING) | (kinds == KIND_NIGHT)
    end = _timeline(rng, starts, lengths, session, is_first, ms_played, fixed, end_ms)
    per_session = {
        "shuffle": rng.random(sessions) < np.where(kinds == KIND_GENERAL, 0.5, 0.7),
        "offline": rng.random(sessions) < 0.06,
        "incognito": rng.random(sessions) < 0.004,
        "platform": rng.choice(len(PLATFORMS), size=sessions, p=_PLATFORM_P),
        "country": rng.choice(len(COUNTRIES), size=sessions, p=_COUNTRY_P),
    }
    return Plays(end_ms=end, artist=artist, track=track, ms_played=ms_played,
                 reason_start=reason_start.astype(np.int8), reason_end=reason_end,
                 **{k: v[session] for k, v in per_session.items()})


def _outcomes(rng, skip_rate, duration, is_last) -> tuple[np.ndarray, np.ndarray]:
    """reason_end and ms_played: skips are short, finished tracks last their duration."""
    n = len(duration)
    r = rng.random(n)
    zero = r < 0.003
    fwd = (r >= 0.003) & (r < 0.003 + skip_rate)
    back = (r >= 0.003 + skip_rate) & (r < 0.028 + skip_rate)
    stop = (r >= 0.028 + skip_rate) & (r < 0.043 + skip_rate)
    error = (r >= 0.043 + skip_rate) & (r < 0.045 + skip_rate)
    reason = np.full(n, END_TRACKDONE, dtype=np.int8)
    reason[fwd | zero] = END_FWDBTN
    reason[back], reason[stop], reason[error] = END_BACKBTN, END_ENDPLAY, END_TRACKERROR
    # The last play of a session is often cut short: stop, app closed, logged out.
    r_last = rng.random(n)
    cut = is_last & (reason == END_TRACKDONE) & (r_last < 0.52)
    reason[cut] = np.where(r_last[cut] < 0.45, END_ENDPLAY,
                           np.where(r_last[cut] < 0.5, END_UNEXPECTED, END_LOGOUT))

    frac = rng.random(n)
    ms = duration - (frac * 1500).astype(np.int64)  # trackdone: the whole track
    early = 500 + rng.exponential(9_000, size=n).astype(np.int64)
    late = rng.random(n) < 0.12  # some skips come late, after the 30 s mark
    skip_ms = np.where(late, (duration * (0.3 + 0.6 * frac)).astype(np.int64), early)
    ms = np.where(reason == END_FWDBTN, np.minimum(skip_ms, duration - 1000), ms)
    ms = np.where(reason == END_BACKBTN, 800 + (frac * 14_000).astype(np.int64), ms)
    partial = np.isin(reason, (END_ENDPLAY, END_UNEXPECTED, END_LOGOUT))
    ms = np.where(partial, (duration * (0.05 + 0.9 * frac)).astype(np.int64), ms)
    ms = np.where(reason == END_TRACKERROR, (frac * 3000).astype(np.int64), ms)
    ms[zero] = 0
    return reason, ms


def _timeline(rng, starts, lengths, session, is_first, ms_played, fixed, stop_ms) -> np.ndarray:
    """End time (epoch ms) of every play.

    Sessions that would collide are moved apart by at least the break, without a Python
    loop: a forward pass pushes sessions later (t_i = max(start_i, t_{i-1} + d_{i-1}), a
    prefix maximum), a backward pass pulls sessions earlier where they would run into a
    ``fixed`` (planted context) session or past the end. Both passes restart at each fixed
    session, so planted sessions keep their planted times.
    """
    n = len(ms_played)
    gap = rng.integers(0, 2500, size=n)
    pause = rng.random(n) < 0.015  # a short pause inside a session (well under the gap)
    gap[pause] += rng.integers(MINUTE_MS, 12 * MINUTE_MS, size=int(pause.sum()))
    gap[is_first] = 0
    span = np.cumsum(gap + ms_played)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    before = span[first] - (gap + ms_played)[first]  # cumulative span before each session
    rel_end = span - before[session]
    duration = span[first + lengths - 1] - before

    d = duration + SESSION_BREAK_MS
    d_before = np.cumsum(d) - d
    d_after = np.cumsum(d[::-1])[::-1]
    v = starts - d_before
    big = int(v.max() - v.min()) + int(d.sum()) + 1  # separates segments in one accumulate
    seg = np.cumsum(fixed)
    t = d_before + np.maximum.accumulate(v + seg * big) - seg * big
    # u_i = t_i + d_after_i must be non-decreasing up to each fixed session and the end.
    u = t + d_after
    u[-1] = min(u[-1], stop_ms - 1000 + SESSION_BREAK_MS)
    rseg = np.cumsum(fixed[::-1])
    u = (np.minimum.accumulate(u[::-1] - rseg * big) + rseg * big)[::-1]
    t = u - d_after
    # Where a stretch between two fixed sessions was overbooked (rare, heavy listening
    # only), a last plain forward pass restores the break, moving a fixed session a little.
    t = d_before + np.maximum.accumulate(t - d_before)
    return t[session] + rel_end
