"""Statutory public holidays of a year, for the provisional working-day calendar (DESIGN §12).

Pure functions, no database. The rule set is the 2025 revision of 《全国年节及纪念日放假办法》 as it
applies to everyone: 元旦 Jan 1; 春节 除夕 + 正月初一至初三; 清明节 (the solar term); 劳动节 May 1–2;
端午节 五月初五; 中秋节 八月十五; 国庆节 Oct 1–3. Make-up working days (调休) are not predictable and are
left out: the State Council sets them each year, and city staff enter them in the admin.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# Why a table rather than a dependency: four dates a year are all the calendar needs, and a table that
# can be read in review is easier to trust than a library call (lunardate stops at 2099; LunarCalendar
# needs ephem; lunar_python covers it all but is a whole almanac). Generated with lunar_python 1.4.8
# (astronomical, Beijing time); cross-checked against lunardate 0.3.0 for 2000–2099 and, in tests,
# against chinesecalendar's official schedules (2004–2026) and its solar-term formula. That formula puts
# 清明 2100 on Apr 4; the sun reaches 15° at 2100-04-05 00:43 Beijing time, so Apr 5 is right.
# Columns: year, 正月初一, 五月初五 (端午), 八月十五 (中秋), 清明 — each MMDD of that Gregorian year.
_TABLE = """
2000 0205 0606 0912 0404
2001 0124 0625 1001 0405
2002 0212 0615 0921 0405
2003 0201 0604 0911 0405
2004 0122 0622 0928 0404
2005 0209 0611 0918 0405
2006 0129 0531 1006 0405
2007 0218 0619 0925 0405
2008 0207 0608 0914 0404
2009 0126 0528 1003 0404
2010 0214 0616 0922 0405
2011 0203 0606 0912 0405
2012 0123 0623 0930 0404
2013 0210 0612 0919 0404
2014 0131 0602 0908 0405
2015 0219 0620 0927 0405
2016 0208 0609 0915 0404
2017 0128 0530 1004 0404
2018 0216 0618 0924 0405
2019 0205 0607 0913 0405
2020 0125 0625 1001 0404
2021 0212 0614 0921 0404
2022 0201 0603 0910 0405
2023 0122 0622 0929 0405
2024 0210 0610 0917 0404
2025 0129 0531 1006 0404
2026 0217 0619 0925 0405
2027 0206 0609 0915 0405
2028 0126 0528 1003 0404
2029 0213 0616 0922 0404
2030 0203 0605 0912 0405
2031 0123 0624 1001 0405
2032 0211 0612 0919 0404
2033 0131 0601 0908 0404
2034 0219 0620 0927 0405
2035 0208 0610 0916 0405
2036 0128 0530 1004 0404
2037 0215 0618 0924 0404
2038 0204 0607 0913 0405
2039 0124 0527 1002 0405
2040 0212 0614 0920 0404
2041 0201 0603 0910 0404
2042 0122 0622 0928 0404
2043 0210 0611 0917 0405
2044 0130 0531 1005 0404
2045 0217 0619 0925 0404
2046 0206 0608 0915 0404
2047 0126 0529 1004 0405
2048 0214 0615 0922 0404
2049 0202 0604 0911 0404
2050 0123 0623 0930 0404
2051 0211 0613 0919 0405
2052 0201 0601 0907 0404
2053 0219 0620 0926 0404
2054 0208 0610 0916 0404
2055 0128 0530 1005 0405
2056 0215 0617 0924 0404
2057 0204 0606 0913 0404
2058 0124 0625 1002 0404
2059 0212 0614 0921 0405
2060 0202 0603 0909 0404
2061 0121 0622 0928 0404
2062 0209 0611 0917 0404
2063 0129 0601 1006 0405
2064 0217 0619 0925 0404
2065 0205 0608 0915 0404
2066 0126 0528 1003 0404
2067 0214 0616 0923 0405
2068 0203 0604 0911 0404
2069 0123 0623 0929 0404
2070 0211 0613 0919 0404
2071 0131 0602 0908 0405
2072 0219 0620 0926 0404
2073 0207 0610 0916 0404
2074 0127 0530 1005 0404
2075 0215 0617 0924 0404
2076 0205 0606 0912 0404
2077 0124 0624 1001 0404
2078 0212 0614 0920 0404
2079 0202 0604 0910 0404
2080 0122 0622 0928 0404
2081 0209 0611 0917 0404
2082 0129 0601 1006 0404
2083 0217 0619 0926 0404
2084 0206 0607 0914 0404
2085 0126 0527 1003 0404
2086 0214 0615 0922 0404
2087 0203 0605 0911 0404
2088 0124 0623 0929 0404
2089 0210 0613 0918 0404
2090 0130 0602 0908 0404
2091 0218 0621 0927 0404
2092 0207 0609 0916 0404
2093 0127 0529 1005 0404
2094 0215 0617 0924 0404
2095 0205 0606 0913 0404
2096 0125 0624 0930 0404
2097 0212 0614 0920 0404
2098 0201 0604 0909 0404
2099 0121 0623 0929 0404
2100 0209 0612 0918 0405
2101 0129 0601 1007 0405
"""

FIRST_YEAR = 2000
LAST_YEAR = 2101


@dataclass(frozen=True)
class FestivalDates:
    """The dates in one Gregorian year that the lunar calendar and the solar terms decide."""

    lunar_new_year: date  # 正月初一; 除夕 is the day before
    dragon_boat: date  # 端午 五月初五
    mid_autumn: date  # 中秋 八月十五
    qingming: date  # 清明 (solar term)


def _parse_table():
    rows = {}
    for line in _TABLE.split("\n"):
        if not line.strip():
            continue
        year, *days = line.split()
        y = int(year)
        rows[y] = FestivalDates(*(date(y, int(d[:2]), int(d[2:])) for d in days))
    return rows


_FESTIVALS = _parse_table()


def has_festival_dates(year: int) -> bool:
    return year in _FESTIVALS


def festival_dates(year: int) -> FestivalDates:
    """Lunar festivals and 清明 of `year`; ValueError outside FIRST_YEAR–LAST_YEAR."""
    try:
        return _FESTIVALS[year]
    except KeyError:
        raise ValueError(f"没有 {year} 年的农历数据（支持 {FIRST_YEAR}–{LAST_YEAR} 年）") from None


@lru_cache(maxsize=256)
def _statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    days: dict[date, list[str]] = {}

    def add(first: date, count: int, name: str):
        for i in range(count):
            days.setdefault(first + timedelta(days=i), []).append(name)

    add(date(year, 1, 1), 1, "元旦")
    if year in _FESTIVALS:
        f = _FESTIVALS[year]
        add(f.lunar_new_year - timedelta(days=1), 4, "春节")
        add(f.qingming, 1, "清明节")
        add(f.dragon_boat, 1, "端午节")
        add(f.mid_autumn, 1, "中秋节")
    add(date(year, 5, 1), 2, "劳动节")
    add(date(year, 10, 1), 3, "国庆节")
    # 中秋 can fall within 国庆 (e.g. 2020-10-01): one day off, both names.
    return tuple(sorted((d, "、".join(names)) for d, names in days.items()))


def statutory_holidays(year: int) -> dict[date, str]:
    """Every statutory holiday date of `year` (weekends included) → its Chinese name.

    Outside FIRST_YEAR–LAST_YEAR there are no lunar data, so only the fixed-date holidays are given:
    the working-day calendar must never fail, and such years are provisional anyway.
    """
    return dict(_statutory_holidays(year))
