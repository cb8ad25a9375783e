"""The statutory holidays behind the provisional calendar, and the lunar table they come from.

The table is checked against chinesecalendar (official schedules 2004–2026, solar terms 2000–2099), against
the moon (each lunar month begins at a new moon), and, where lunardate or lunar_python is installed,
against them for every year.
"""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from gongzufang import holidays
from gongzufang.holidays import FIRST_YEAR, LAST_YEAR, festival_dates, statutory_holidays

YEARS = range(FIRST_YEAR, LAST_YEAR + 1)


def test_the_table_covers_2000_to_2101_with_dates_in_their_own_year():
    assert [y for y in YEARS if not holidays.has_festival_dates(y)] == []
    for year in YEARS:
        f = festival_dates(year)
        assert {f.lunar_new_year.year, f.dragon_boat.year, f.mid_autumn.year, f.qingming.year} == {year}


def test_a_year_without_lunar_data_is_refused_clearly():
    with pytest.raises(ValueError, match="1999"):
        festival_dates(1999)


def test_lunar_new_year_agrees_with_every_official_spring_festival():
    for year in range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1):
        new_year = festival_dates(year).lunar_new_year
        assert chinese_calendar.get_holiday_detail(new_year) == (True, "Spring Festival"), year


def _in_official_holiday(day, name):
    """`day` is off in chinesecalendar, inside a block of days it names `name`. (It leaves some weekend
    days of a holiday unnamed, e.g. Saturday 2012-06-23, 端午 itself.)"""
    nearby = {chinese_calendar.get_holiday_detail(day + timedelta(days=i))[1] for i in (-1, 0, 1)}
    return chinese_calendar.is_holiday(day) and name in nearby


@pytest.mark.parametrize("year", range(2008, 2027))  # 清明, 端午 and 中秋 became holidays in 2008
def test_qingming_dragon_boat_and_mid_autumn_agree_with_the_official_schedules(year):
    f = festival_dates(year)
    assert _in_official_holiday(f.qingming, "Tomb-sweeping Day")
    assert _in_official_holiday(f.dragon_boat, "Dragon Boat Festival")
    # In 2020 中秋 was Oct 1, which chinesecalendar files under National Day.
    assert _in_official_holiday(f.mid_autumn, "Mid-autumn Festival") or _in_official_holiday(
        f.mid_autumn, "National Day"
    )


def test_qingming_agrees_with_chinese_calendar_solar_terms_up_to_2099():
    for year in range(2000, 2100):
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
        assert (festival_dates(year).qingming, "清明") in terms, year


def test_qingming_2100_is_april_5_where_the_chinese_calendar_formula_says_april_4():
    # The sun reaches 15° at 2100-04-05 00:43 Beijing time; the formula's 21st-century constants run out.
    assert festival_dates(2100).qingming == date(2100, 4, 5)
    assert chinese_calendar.get_solar_terms(date(2100, 4, 1), date(2100, 4, 30))[0] == (date(2100, 4, 4), "清明")


def test_every_lunar_month_used_begins_at_a_new_moon():
    reference_new_moon = datetime(2000, 1, 7, 2, 14)  # 2000-01-06 18:14 UTC, in Beijing time
    synodic_month = 29.530588853
    for year in YEARS:
        f = festival_dates(year)
        for first_day in (f.lunar_new_year, f.dragon_boat - timedelta(days=4), f.mid_autumn - timedelta(days=14)):
            days = datetime.combine(first_day, datetime.min.time()) + timedelta(hours=12) - reference_new_moon
            offset = (days.total_seconds() / 86400 + synodic_month / 2) % synodic_month - synodic_month / 2
            assert abs(offset) < 1.5, (year, first_day, offset)


def test_lunar_years_and_months_have_possible_lengths():
    for year in YEARS:
        f = festival_dates(year)
        assert date(year, 1, 21) <= f.lunar_new_year <= date(year, 2, 20)
        assert f.qingming in {date(year, 4, 4), date(year, 4, 5)}
        # 4 (or 5, with a leap month) months of 29–30 days, then the 5th day
        assert 4 * 29 + 4 <= (f.dragon_boat - f.lunar_new_year).days <= 5 * 30 + 4
        assert 3 * 29 + 10 <= (f.mid_autumn - f.dragon_boat).days <= 4 * 30 + 10
        if year + 1 in YEARS:
            assert (festival_dates(year + 1).lunar_new_year - f.lunar_new_year).days in {353, 354, 355, 383, 384, 385}


def test_the_table_matches_lunardate_where_installed():
    lunardate = pytest.importorskip("lunardate")
    for year in range(2000, 2100):  # lunardate stops at 2099
        f = festival_dates(year)
        assert lunardate.LunarDate(year, 1, 1).to_solar_date() == f.lunar_new_year
        assert lunardate.LunarDate(year, 5, 5).to_solar_date() == f.dragon_boat
        assert lunardate.LunarDate(year, 8, 15).to_solar_date() == f.mid_autumn


def test_the_table_matches_lunar_python_where_installed():
    lunar_python = pytest.importorskip("lunar_python")

    def solar(s):
        return date(s.getYear(), s.getMonth(), s.getDay())

    for year in YEARS:
        f = festival_dates(year)
        assert solar(lunar_python.Lunar.fromYmd(year, 1, 1).getSolar()) == f.lunar_new_year
        assert solar(lunar_python.Lunar.fromYmd(year, 5, 5).getSolar()) == f.dragon_boat
        assert solar(lunar_python.Lunar.fromYmd(year, 8, 15).getSolar()) == f.mid_autumn
        assert solar(lunar_python.Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]) == f.qingming


def test_the_holidays_of_2027():
    assert statutory_holidays(2027) == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节",  # 除夕
        date(2027, 2, 6): "春节",  # 正月初一
        date(2027, 2, 7): "春节",
        date(2027, 2, 8): "春节",
        date(2027, 4, 5): "清明节",
        date(2027, 5, 1): "劳动节",
        date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节",
        date(2027, 9, 15): "中秋节",
        date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节",
        date(2027, 10, 3): "国庆节",
    }


def test_every_year_has_thirteen_holiday_days_unless_mid_autumn_falls_in_national_day():
    for year in range(2000, 2102):
        days = statutory_holidays(year)
        overlap = date(year, 10, 1) <= festival_dates(year).mid_autumn <= date(year, 10, 3)
        assert len(days) == (12 if overlap else 13), year


def test_mid_autumn_on_national_day_is_one_day_with_both_names():
    assert statutory_holidays(2020)[date(2020, 10, 1)] == "中秋节、国庆节"


def test_2100_has_its_spring_festival():
    days = statutory_holidays(2100)
    assert [d for d, name in days.items() if name == "春节"] == [date(2100, 2, d) for d in (8, 9, 10, 11)]


def test_a_year_beyond_the_table_gets_only_the_fixed_date_holidays():
    assert set(statutory_holidays(2150).values()) == {"元旦", "劳动节", "国庆节"}
