"""Reading a flat's address as people write it: "4号楼2单元502", "4栋2单元502室", "4-2-502", "2-502",
"2单元301", "4号楼2-502", "502". Framework-free; housing.selectors.units_by_address matches the result to units.

An address is (building, entrance, room), any of the first two possibly missing. The building and
entrance are kept as their number or letter ("4", "A"), so "4号楼", "4栋" and "4#" are the same building.
"""

import re
import unicodedata
from dataclasses import dataclass

_BUILDING = r"(?P<building>[0-9]+|[A-Za-z])\s*(?:号楼|号楼栋|栋|幢|座|号|楼|#)"
_ENTRANCE = r"(?P<entrance>[0-9]+)\s*(?:单元|号门|门|-)"
_ROOM = r"(?P<room>[0-9]{1,5})\s*(?:室|号|户)?"
_WORDED = re.compile(rf"^(?:{_BUILDING})?\s*(?:{_ENTRANCE})?\s*{_ROOM}$")
# 4-2-502 (building-entrance-room) and 2-502 (entrance-room), as on many doorplates.
_DASHED = re.compile(r"^(?:(?P<building>[0-9]+|[A-Za-z])-)?(?P<entrance>[0-9]+)-(?P<room>[0-9]{1,5})$")


@dataclass(frozen=True)
class UnitAddress:
    building: str | None
    entrance: str | None
    room: str

    def matches(self, other: "UnitAddress") -> bool:
        """Whether `other` (a unit's full address) is the flat this one names; missing parts match any."""
        return (self.room == other.room
                and (self.entrance is None or self.entrance == other.entrance)
                and (self.building is None or self.building == other.building))


def _normalise(text: str) -> str:
    # Full-width digits, letters and dashes (typed on Chinese keyboards) become ASCII.
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    text = re.sub(r"[－—–_/、.·\s]+", lambda m: "" if m.group().isspace() else "-", text)
    return text.strip("-")


def _number(value):
    return str(int(value)) if value and value.isdigit() else value


def parse(text: str) -> UnitAddress | None:
    """The address in `text`, or None when it does not read as one."""
    text = _normalise(text)
    match = _WORDED.match(text) or _DASHED.match(text)
    if not match:
        return None
    parts = match.groupdict()
    return UnitAddress(building=_number(parts.get("building")), entrance=_number(parts.get("entrance")),
                       room=_number(parts["room"]))


def building_key(name: str) -> str | None:
    """A building's name reduced to its number or letter ("4号楼" → "4"), or None if it has none."""
    match = re.match(rf"^{_BUILDING}$", _normalise(name)) or re.match(r"^(?P<building>[0-9]+)$", _normalise(name))
    return _number(match.group("building")) if match else None
