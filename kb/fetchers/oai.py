"""An arXiv OAI-PMH response (``ListRecords``, ``metadataPrefix=arXiv``) read into kb's papers: bytes in, page out.

Pure: no network, no clock, like ``arxiv_atom``. OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html)
answers every verb in one envelope: either the verb's element (here ``<ListRecords>``: records, then a
``<resumptionToken>`` saying where the next page starts) or one or more ``<error code="...">``. arXiv's own
metadata format (http://arxiv.org/OAI/arXiv/) gives authors split into key name and forenames, the licence, the
DOI and the journal reference; ``<created>`` is the day version 1 was submitted, while the header's
``<datestamp>`` is only the record's last modification. The standard library's ElementTree refuses entity bombs.

Also here: which OAI set a person means by ``cs.LG``, ``hep-th``, ``cs`` or ``physics:hep-th``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime

from kb.config import known_categories
from kb.errors import UsageError
from kb.models import Author, FetchedItem, Kind, parse_arxiv_id

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"

#: The archives arXiv's OAI groups under ``physics`` (every other archive is a group of its own).
PHYSICS_ARCHIVES = frozenset(
    {
        "astro-ph",
        "cond-mat",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math-ph",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "physics",
        "quant-ph",
    }
)
_GROUPS = frozenset({"cs", "econ", "eess", "math", "physics", "q-bio", "q-fin", "stat"})


class UnreadableOai(ValueError):
    """The body is not an OAI-PMH response (not XML, or XML of another kind)."""


@dataclass(frozen=True)
class OaiError:
    """The repository's refusal: ``badResumptionToken``, ``noRecordsMatch``, ``badArgument`` and the others."""

    code: str
    message: str


@dataclass(frozen=True)
class OaiRecord:
    """One record of a page: its header, and the paper when it is not deleted."""

    arxiv_id: str  # without version: 0704.0001, hep-th/9901001
    datestamp: str  # YYYY-MM-DD, the last modification
    deleted: bool
    paper: FetchedItem | None  # None when deleted or unreadable
    created: date | None  # the day version 1 was submitted


@dataclass(frozen=True)
class OaiPage:
    """One page of ``ListRecords``."""

    records: tuple[OaiRecord, ...]
    #: Where the next page starts; None (or empty) on the last page.
    token: str | None = None
    #: When the token stops working (arXiv: the next 00:00 UTC); None when not said.
    expires: datetime | None = None
    #: How many records the whole list has, and this page's offset in it, when the repository says.
    complete_size: int | None = None
    cursor: int | None = None


@dataclass(frozen=True)
class HarvestSet:
    """What to harvest for what a person typed: the OAI set, and the category to keep (for a category)."""

    spec: str  # cs, physics:hep-th, cs:cs:LG
    category: str | None  # cs.LG: records not listed in it are skipped


def parse_oai_response(body: bytes) -> OaiPage | OaiError:
    """The page or the error ``body`` holds. Raises UnreadableOai for a body that is not OAI-PMH."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise UnreadableOai(f"not well-formed XML: {exc}") from None
    if root.tag != f"{OAI}OAI-PMH":
        raise UnreadableOai(f"not an OAI-PMH response (root element <{root.tag.rsplit('}', 1)[-1]}>)")
    error = root.find(f"{OAI}error")
    if error is not None:
        return OaiError(error.get("code", "unknown"), squash(error.text))
    listing = root.find(f"{OAI}ListRecords")
    if listing is None:
        raise UnreadableOai("an OAI-PMH response without <ListRecords> or <error>")
    records = tuple(record for node in listing.iterfind(f"{OAI}record") if (record := _record(node)) is not None)
    token_node = listing.find(f"{OAI}resumptionToken")
    if token_node is None:
        return OaiPage(records)
    return OaiPage(
        records,
        token=(token_node.text or "").strip() or None,
        expires=_moment(token_node.get("expirationDate")),
        complete_size=_number(token_node.get("completeListSize")),
        cursor=_number(token_node.get("cursor")),
    )


def _record(node: ET.Element) -> OaiRecord | None:
    header = node.find(f"{OAI}header")
    if header is None:
        return None
    identifier = (header.findtext(f"{OAI}identifier") or "").strip()
    parsed = parse_arxiv_id(identifier.removeprefix("oai:arXiv.org:"))
    if parsed is None:
        return None
    datestamp = (header.findtext(f"{OAI}datestamp") or "").strip()
    if header.get("status") == "deleted":
        return OaiRecord(parsed.id, datestamp, True, None, None)
    metadata = node.find(f"{OAI}metadata/{ARXIV}arXiv")
    if metadata is None:
        return OaiRecord(parsed.id, datestamp, False, None, None)
    created = _day(metadata.findtext(f"{ARXIV}created"))
    return OaiRecord(parsed.id, datestamp, False, _paper(parsed.id, metadata, created), created)


def _paper(arxiv_id: str, metadata: ET.Element, created: date | None) -> FetchedItem:
    categories = (metadata.findtext(f"{ARXIV}categories") or "").split()
    return FetchedItem(
        id=f"arxiv:{arxiv_id}",
        kind=Kind.PAPER,
        title=squash(metadata.findtext(f"{ARXIV}title")),
        summary=squash(metadata.findtext(f"{ARXIV}abstract")),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        authors=tuple(_author(node) for node in metadata.iterfind(f"{ARXIV}authors/{ARXIV}author")),
        published=_midnight(created),
        updated=_midnight(_day(metadata.findtext(f"{ARXIV}updated"))),
        version=None,  # the arXiv format does not say (arXivRaw does); the store keeps any version it knows
        categories=tuple(dict.fromkeys(categories)),
        comment=squash(metadata.findtext(f"{ARXIV}comments")) or None,
        journal_ref=squash(metadata.findtext(f"{ARXIV}journal-ref")) or None,
        doi=squash(metadata.findtext(f"{ARXIV}doi")) or None,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
    )


def _author(node: ET.Element) -> Author:
    parts = (squash(node.findtext(f"{ARXIV}{name}")) for name in ("forenames", "keyname", "suffix"))
    affiliations = (squash(a.text) for a in node.iterfind(f"{ARXIV}affiliation"))
    return Author(" ".join(part for part in parts if part), tuple(a for a in affiliations if a))


def resolve_set(text: str) -> HarvestSet:
    """The OAI set for ``cs.LG``, ``hep-th``, ``cs``, ``physics:hep-th`` or ``cs:cs:LG``; UsageError otherwise.

    A bare name is a group when it is one (``cs``, ``math``, ``physics``), else an archive (``hep-th``) or a
    category (``cs.LG``); a set spec as arXiv spells it is taken as it is once checked.
    """
    typed = text.strip()
    parts = typed.split(":")
    if len(parts) > 3 or not all(parts):
        raise UsageError(f"'{typed}' is not an arXiv category, archive or group", hint="e.g. cs.LG, hep-th or cs")
    archive = parts[1] if len(parts) > 1 else parts[0]
    subject = parts[2] if len(parts) == 3 else ""
    if len(parts) == 1:
        archive, _, subject = typed.partition(".")
    category = f"{archive}.{subject}" if subject else archive
    if category not in known_categories() and category not in _GROUPS:
        by_case = {name.lower(): name for name in known_categories()}
        close = by_case.get(category.lower())
        hint = f"did you mean '{close}'?" if close else "a category (cs.LG), an archive (hep-th) or a group (cs)"
        raise UsageError(f"'{typed}' is not an arXiv category, archive or group", hint=hint)
    group = "physics" if archive in PHYSICS_ARCHIVES else archive
    if subject:
        spec = f"{group}:{archive}:{subject}"
    elif len(parts) == 1 and typed in _GROUPS:
        spec = typed
    else:
        spec = f"{group}:{archive}" if archive != group or len(parts) == 2 else group
    if len(parts) > 1 and parts[0] != group:
        raise UsageError(f"'{typed}' is not an arXiv OAI set", hint=f"did you mean '{spec}'?")
    return HarvestSet(spec, category if subject else None)


def keeps(record: OaiRecord, wanted: HarvestSet, since: date, until: date | None) -> bool:
    """Whether a (not deleted) record belongs to the backfill: submitted in the window, in the category."""
    if record.paper is None or record.created is None:
        return False
    if record.created < since or (until is not None and record.created > until):
        return False
    return wanted.category is None or wanted.category in record.paper.categories


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _moment(text: str | None) -> datetime | None:
    try:
        when = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _number(text: str | None) -> int | None:
    value = (text or "").strip()
    return int(value) if value.isdigit() else None


def squash(text: str | None) -> str:
    """``text`` on one line: arXiv wraps titles and abstracts."""
    return re.sub(r"\s+", " ", text or "").strip()
