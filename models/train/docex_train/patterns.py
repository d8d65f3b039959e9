"""Regexes and parsers for dates, amounts, durations and jurisdictions (used to align labels)."""
from __future__ import annotations

import datetime as _dt
import re

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|t\s?h)?"
DATE_RES = [
    # November 15, 2012 / Feb. 10 2014 / July 11 , 2006
    ("mdy", re.compile(rf"\b(?P<mon>{_MON})\.?\s+(?P<d>\d{{1,2}}){_ORD}\s*,?\s*(?P<y>\d{{4}})\b", re.I)),
    # 8th day of May 2014 / 1 August 2019 / 25-DEC-2018 / 12th day of November, 2019
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})\s*{_ORD}\s*(?:day\s+of\s+)?[-\s]?(?P<mon>{_MON})\.?\s*[-,]?\s*(?P<y>\d{{4}}|\d{{2}})\b", re.I)),
    # 2018-03-12
    ("iso", re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")),
    # 12/03/2021, 12-01-19, 1.4.2011
    ("num", re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})\b")),
]


def _year(y: str) -> int:
    y_ = int(y)
    if len(y) == 2:
        y_ += 2000 if y_ < 50 else 1900
    return y_


def _mk(y, m, d):
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, prefer: str = "dmy"):
    """All date expressions: list of (start, end, [candidate date objects])."""
    out = []
    taken = []
    for kind, rx in DATE_RES:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < b and e > a for a, b in taken):
                continue
            cands = []
            if kind in ("mdy", "dmy"):
                c = _mk(_year(m["y"]), MONTHS[m["mon"].lower()], int(m["d"]))
                cands = [c] if c else []
            elif kind == "iso":
                c = _mk(int(m["y"]), int(m["m"]), int(m["d"]))
                cands = [c] if c else []
            else:
                a, b, y = int(m["a"]), int(m["b"]), _year(m["y"])
                first = _mk(y, b, a) if prefer == "dmy" else _mk(y, a, b)
                second = _mk(y, a, b) if prefer == "dmy" else _mk(y, b, a)
                cands = [c for c in (first, second) if c]
            if cands:
                out.append((s, e, cands))
                taken.append((s, e))
    out.sort()
    return out


def parse_date(s: str, prefer: str = "dmy"):
    ds = find_dates(s, prefer)
    return ds[0][2][0] if ds else None


# --- amounts -------------------------------------------------------------------------
_AMOUNT_RE = re.compile(r"\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?")


def parse_amount(s: str):
    """'RM1,234.50' -> 1234.5 (dot or comma decimals); None if no number."""
    m = re.search(r"\d[\d.,]*", s)
    if not m:
        return None
    t = m.group(0).rstrip(".,")
    if re.search(r"[.,]\d{1,2}$", t):
        dec = t[-3:] if t[-3] in ".," else t[-2:]
        intpart = t[: -len(dec)]
        t = re.sub(r"[.,]", "", intpart) + "." + dec[1:]
    else:
        t = re.sub(r"[.,]", "", t)
    try:
        return round(float(t), 2)
    except ValueError:
        return None


def amount_spans(text: str):
    """(start, end, value) of every number-like substring."""
    out = []
    for m in re.finditer(r"\d[\d.,]*\d|\d", text):
        v = parse_amount(m.group(0))
        if v is not None:
            out.append((m.start(), m.end(), v))
    return out


# --- durations -----------------------------------------------------------------------
_NUMW = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
         "hundred").split()
_NW = "|".join(sorted(_NUMW, key=len, reverse=True))
DURATION_RE = re.compile(
    rf"\b(?:(?:{_NW})(?:[- ](?:{_NW}))?\s*(?:\(\s*\d+\s*\)\s*)?|\(?\d+\)?\s*)(?:-\s*|\s*)"
    rf"(?:full\s+|calendar\s+|consecutive\s+)?(?:years?|months?|days?|weeks?)\b", re.I)


def find_durations(text: str):
    return [(m.start(), m.end()) for m in DURATION_RE.finditer(text)]


# --- jurisdictions -------------------------------------------------------------------
US_STATES = """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan
Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee
Texas Utah Vermont Virginia Washington Wisconsin Wyoming""".split() + [
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "District of Columbia"]
COUNTRIES = [
    "England", "Wales", "Scotland", "United Kingdom", "Canada", "Ontario", "British Columbia", "Quebec",
    "Alberta", "Israel", "Netherlands", "Germany", "France", "Switzerland", "Singapore", "Hong Kong",
    "People's Republic of China", "China", "Japan", "India", "Ireland", "Australia", "Belgium",
    "Sweden", "Taiwan", "Korea", "Luxembourg", "Cayman Islands", "Bermuda", "Spain", "Italy",
    "Denmark", "Norway", "Finland", "Mexico", "Brazil", "United States of America", "United States",
    "Malaysia", "Austria", "British Virgin Islands", "Puerto Rico", "New South Wales", "Victoria",
]
JURISDICTIONS = US_STATES + COUNTRIES
JURIS_RE = re.compile(r"\b(?:" + "|".join(re.escape(j) for j in sorted(JURISDICTIONS, key=len, reverse=True)) + r")\b", re.I)


def find_jurisdictions(text: str):
    return [(m.start(), m.end(), m.group(0)) for m in JURIS_RE.finditer(text)]
