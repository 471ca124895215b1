"""Compression statistics computed from the catalogue itself."""

from fractions import Fraction

import pytest

from onewindow.catalog.limits import exceeds, limit_compression
from onewindow.catalog.selectors import LimitRow, catalogue_compression_stats, compression_stats
from onewindow.catalog.tests.catalogues import FOOD, HR, SEAL
from onewindow.clock.workdays import Duration, Unit

WD, H, NAT = Unit.WORKDAY, Unit.WORK_HOUR, Unit.NATURAL_DAY


def row(code, legal, promised, *, instant=False, visits=1, depth="online"):
    return LimitRow(code, code, legal, promised, instant, visits, depth)


def test_the_pharmacy_figures_of_seed_000_compress_by_74_percent():
    assert limit_compression(Duration(65, WD), Duration(17, WD)) == Fraction(48, 65)


def test_compression_compares_hours_with_working_days_at_seven_hours_a_day():
    assert limit_compression(Duration(1, WD), Duration(2, H)) == Fraction(5, 7)
    assert limit_compression(Duration(5, WD), Duration.instant()) == 1
    assert limit_compression(Duration(30, NAT), Duration(10, NAT)) == Fraction(2, 3)
    assert limit_compression(Duration(30, NAT), Duration(10, WD)) is None
    assert limit_compression(None, Duration(10, WD)) is None


def test_natural_days_are_compared_with_working_days_only_when_the_answer_is_certain():
    assert exceeds(Duration(6, WD), Duration(5, NAT)) is True
    assert exceeds(Duration(5, WD), Duration(6, NAT)) is None
    assert exceeds(Duration(5, NAT), Duration(5, WD)) is False


def test_catalogue_figures_follow_their_definitions():
    stats = compression_stats(
        [
            row("a", Duration(20, WD), Duration(8, WD)),
            row("b", Duration(5, WD), Duration.instant(), instant=True, visits=0, depth="full"),
            row("c", None, Duration(2, H), visits=0, depth="full"),
            row("d", Duration(30, NAT), Duration(10, NAT)),
        ]
    )
    assert [i.compression for i in stats.items] == [Fraction(3, 5), Fraction(1), None, Fraction(2, 3)]
    assert (stats.item_count, stats.compared_count) == (4, 3)
    assert stats.mean_compression == (Fraction(3, 5) + 1 + Fraction(2, 3)) / 3
    # averages over the items compared in working time (a, b): legal 12.5, promised 4 working days
    assert (stats.average_legal_days, stats.average_promised_days) == (Fraction(25, 2), Fraction(4))
    assert stats.overall_compression == 1 - Fraction(4) / Fraction(25, 2)
    assert stats.instant_share == Fraction(1, 4)
    assert stats.zero_visit_share == Fraction(1, 2)
    assert stats.full_online_share == Fraction(1, 2)


def test_an_empty_catalogue_has_no_figures():
    stats = compression_stats([])
    assert stats.item_count == 0 and stats.mean_compression is None and stats.instant_share is None


@pytest.mark.django_db
def test_the_statistics_of_the_imported_catalogue(small_catalogue, county):
    stats = catalogue_compression_stats(county)
    by_code = {i.code: i for i in stats.items}
    assert by_code[FOOD].compression == Fraction(3, 5)
    assert by_code[HR].compression == 1
    assert by_code[SEAL].compression is None  # no statutory limit
    assert stats.instant_share == Fraction(1, 3)
    assert stats.zero_visit_share == Fraction(2, 3)
    assert stats.full_online_share == Fraction(2, 3)
    assert stats.average_legal_days == Fraction(25, 2)
