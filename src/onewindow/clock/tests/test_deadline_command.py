import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(capsys, *args):
    call_command("deadline", *args)
    return capsys.readouterr().out.strip().splitlines()


def test_five_working_days_from_24_january_2025_print_7_february(national, capsys):
    assert run(capsys, "--from", "2025-01-24", "--days", "5")[-1] == "2025-02-07"


def test_explain_lists_the_skipped_holidays(national, capsys):
    lines = run(capsys, "--from", "2025-01-24", "--days", "5", "--explain")
    assert any("2025-01-28" in line and "春节" in line for line in lines)
    assert lines[-1] == "2025-02-07"


def test_two_working_hours_from_16_45_end_the_next_morning(national, capsys):
    assert (
        run(capsys, "--from", "2025-03-07", "--days", "2", "--unit", "hour", "--at", "16:45")[-1]
        == "2025-03-10T10:15"
    )


def test_a_natural_day_limit_ending_on_a_holiday_moves_to_the_next_working_day(national, capsys):
    assert run(capsys, "--from", "2025-09-26", "--days", "5", "--unit", "natural")[-1] == "2025-10-09"


def test_a_deadline_past_the_loaded_years_is_printed_as_provisional(national, capsys):
    lines = run(capsys, "--from", "2026-12-30", "--days", "5")
    # 31 December, then 1 January 2027 (no notice loaded: a working day) and 4, 5, 6 January.
    assert lines[-1] == "2027-01-06"
    assert any(line.startswith("provisional:") and "2027" in line for line in lines)


def test_a_date_beyond_the_provisional_years_is_a_clear_error(national):
    with pytest.raises(CommandError, match="2029"):
        call_command("deadline", "--from", "2029-01-05", "--days", "5")


@pytest.mark.parametrize("days", ["-3", "abc", "2.5"])
def test_a_negative_or_non_numeric_length_is_refused(national, days):
    with pytest.raises(CommandError, match="非负整数"):
        call_command("deadline", "--from", "2025-01-24", "--days", days)


def test_an_invalid_date_is_refused(national):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("deadline", "--from", "2025-02-30", "--days", "5")


def test_without_a_seeded_calendar_the_command_says_how_to_seed(db):
    with pytest.raises(CommandError, match="calendar seed"):
        call_command("deadline", "--from", "2025-01-24", "--days", "5")
