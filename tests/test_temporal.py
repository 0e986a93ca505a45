"""Time expressions resolved against the publication date; nothing invented."""
from datetime import date

import pytest

from kg.extract.temporal import TimeValue, clamp, resolve

PUB = date(2021, 2, 27)  # a Saturday


@pytest.mark.parametrize("text,expected", [
    ("Thursday", TimeValue(date=date(2021, 2, 25))),
    ("on Thursday", TimeValue(date=date(2021, 2, 25))),
    ("Saturday", TimeValue(date=date(2021, 2, 27))),
    ("last Saturday", TimeValue(date=date(2021, 2, 20))),
    ("yesterday", TimeValue(date=date(2021, 2, 26))),
    ("today", TimeValue(date=date(2021, 2, 27))),
    ("September 29", TimeValue(date=date(2020, 9, 29))),
    ("last month", TimeValue(earliest=date(2021, 1, 1), latest=date(2021, 1, 31))),
    ("in 1983", TimeValue(earliest=date(1983, 1, 1), latest=date(1983, 12, 31))),
    ("last week", TimeValue(earliest=date(2021, 2, 15), latest=date(2021, 2, 21))),
])
def test_relative_and_absolute(text, expected):
    assert resolve(text, PUB) == expected


@pytest.mark.parametrize("text", ["five days", "the 1970s", "next week", "the coming days", "hundreds", "mid-term"])
def test_durations_vague_and_future_give_nothing(text):
    assert resolve(text, PUB).empty


def test_no_publication_date_only_absolute_with_year():
    assert resolve("Thursday", None).empty
    assert resolve("last month", None).empty
    assert resolve("February 25, 2021", None) == TimeValue(date=date(2021, 2, 25))


def test_never_after_publication():
    assert clamp(TimeValue(date=date(2021, 3, 1)), PUB).empty
    assert clamp(TimeValue(earliest=date(2021, 2, 1), latest=date(2021, 2, 28)), PUB).latest == PUB


def test_quick_relative_words_read_as_dateparser_reads_them():
    """The relative expressions answered without dateparser give its day and period, for every
    day of a leap year plus year, month and leap-day edges."""
    from datetime import date, timedelta

    from kg.extract.temporal import _RELATIVE_WORDS, _dateparser

    days = [date(2020, 1, 1) + timedelta(days=n) for n in range(0, 366, 5)]
    days += [date(2021, 1, 1), date(2021, 3, 1), date(2024, 2, 29), date(2023, 12, 31), date(2021, 3, 31)]
    for pub in days:
        for words, quick in _RELATIVE_WORDS.items():
            d, period = quick(pub)
            ref = _dateparser(words, pub)
            assert ref is not None and period == ref[1], (words, pub)
            # the day inside a week / month / year period is not used, only which period it is
            if period == "day":
                assert d == ref[0], (words, pub)
            elif period == "week":
                assert d - timedelta(days=d.weekday()) == ref[0] - timedelta(days=ref[0].weekday()), (words, pub)
            elif period == "month":
                assert (d.year, d.month) == (ref[0].year, ref[0].month), (words, pub)
            else:
                assert d.year == ref[0].year, (words, pub)
