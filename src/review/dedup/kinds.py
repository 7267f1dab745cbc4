"""What kind of publication a record is, from its title, source and identifiers.

These kinds are the dedup traps: an erratum or retraction notice shares its title with the
original, a protocol shares its trial with the results paper, a preprint shares its title with
the journal version. Records of different kinds are never merged automatically.
"""

from __future__ import annotations

import re

from .normalise import fold

ARTICLE = "article"
ERRATUM = "erratum"
RETRACTION = "retraction"
PROTOCOL = "protocol"
PREPRINT = "preprint"
CONCERN = "expression of concern"
COMMENT = "comment"
#: Kinds that are about another record: linked to it (``[dedup] related``), never its duplicate.
NOTICE_KINDS = frozenset({ERRATUM, RETRACTION, CONCERN, COMMENT})

_ERRATUM = re.compile(
    r"^(?:erratum|errata|corrigendum|corrigenda|correction|corrections|addendum|"
    r"author correction|publisher correction|publisher s note|notice of correction)\b"
)
_RETRACTION = re.compile(
    r"^(?:retraction|retraction note|retraction notice|notice of retraction|withdrawal|"
    r"withdrawn|retraction statement)\b"
)
#: First words of comments and replies (folded); ``_COMMENT`` runs only on these.
_COMMENT_WORDS = frozenset("comment comments commentary re reply response in author authors".split())
#: First words of the notices above; the regexes run only when a title starts with one.
_NOTICE_WORDS = frozenset("""erratum errata corrigendum corrigenda correction corrections addendum author
publisher notice retraction withdrawal withdrawn expression editorial""".split())
_RETRACTED_ARTICLE = re.compile(r"^\s*(?:retracted(?: article)?|withdrawn(?: article)?)\s*[:.\-]\s*",
                                re.IGNORECASE)
_CONCERN = re.compile(r"^(?:expression of concern|editorial expression of concern)\b")
#: Comments and replies, read on the raw title: "Response to treatment …" is an article, while
#: "Response to: …", "Reply to the letter …", "Comment on …" and "Re: …" answer another record.
_COMMENT = re.compile(
    r"^\s*(?:(?:comments?|commentary)\s+on\b|re\s*:|(?:in\s+)?(?:reply|response)\s*:|"
    r"(?:authors?'?s?'?\s+)?(?:reply|response)\s+to\s*(?::|[\"'\u201c\u2018]|(?:the\s+)?(?:comments?|letters?|"
    r"editor|correspondence|authors?)\b|[A-Z][\w-]+\s+et\s+al\b)|author(?:s|'s|s')?\s+(?:reply|response)\b)",
    re.IGNORECASE,
)
#: The notice wording in front of the title it is about ("Erratum to: ", "Comment on '…'").
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:notice of |editorial |author |publisher |in )?(?:erratum|errata|corrigendum|corrigenda|"
    r"corrections?|addendum|retraction(?:\s+(?:note|notice|statement))?|withdrawal|expression of concern|"
    r"comments?|commentary|re|reply|response|authors?'?s?'?\s+(?:reply|response))\b"
    r"(?:\s+(?:to|of|on|for|regarding|about))?(?:\s+(?:the\s+)?(?:article|paper|comments?|letters?|study))?"
    r"\s*[:.\-\u2013\u2014]?\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'\u201c\u201d\u2018\u2019[]«»"
_PROTOCOL = re.compile(
    r"\b(?:study protocol|trial protocol|review protocol|protocol for (?:a|an|the)|"
    r"a protocol|protocol of (?:a|an|the) (?:randomi[sz]ed|controlled|multi|cluster|pilot|"
    r"prospective|trial|study|systematic)|design and rationale|rationale and design|"
    r"rationale design and|statistical analysis plan)\b"
)
#: Words that make a title say nothing about the content.
GENERIC_WORDS = frozenset("""
editorial editorials reply replies response responses erratum errata correction corrections
corrigendum comment comments commentary letter letters introduction preface foreword news
index contents announcement announcements notice retraction acknowledgement acknowledgements
acknowledgment reviewers obituary abstracts abstract proceedings poster posters session sessions
meeting conference highlights summary discussion authors author s in to the a an of on from
editor invited re on behalf correspondence book review reviews note notes foreword guest
issue this special supplement table figure front matter back cover miscellaneous and response
""".split())
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.2139/", "10.48550/", "10.31234/", "10.20944/",
                 "10.31219/", "10.22541/", "10.36227/", "10.31222/", "10.1002/essoar.")
_PREPRINT_SOURCE = re.compile(
    r"\b(?:medrxiv|biorxiv|arxiv|psyarxiv|research square|researchsquare|ssrn|preprints|"
    r"osf preprints|socarxiv|authorea|preprint)\b"
)


def strip_retracted_prefix(title: str) -> str:
    """"RETRACTED ARTICLE: X" is the original article X, flagged; it is not a notice."""
    return _RETRACTED_ARTICLE.sub("", title or "")


def publication_kind(title: str, journal: str = "", doi: str = "",
                     publication_types: list[str] | tuple[str, ...] = ()) -> str:
    """One of ARTICLE, ERRATUM, RETRACTION, CONCERN, PROTOCOL, PREPRINT."""
    types = {fold(t) for t in publication_types} if publication_types else set()
    folded = fold(strip_retracted_prefix(title) if "etract" in title or "ithdrawn" in title else title)
    first = folded.partition(" ")[0]
    if "published erratum" in types or (first in _NOTICE_WORDS and _ERRATUM.match(folded)):
        return ERRATUM
    if "retraction of publication" in types or (first in _NOTICE_WORDS and _RETRACTION.match(folded)):
        return RETRACTION
    if "expression of concern" in types or (first in _NOTICE_WORDS and _CONCERN.match(folded)):
        return CONCERN
    if "comment" in types or (first in _COMMENT_WORDS and _COMMENT.match(title)):
        return COMMENT
    if doi.startswith(_PREPRINT_DOI) or "preprint" in types or (journal and _PREPRINT_SOURCE.search(fold(journal))):
        return PREPRINT
    if ("protocol" in folded or "rationale" in folded or "analysis plan" in folded) and _PROTOCOL.search(folded):
        return PROTOCOL
    return ARTICLE


def notice_subject(title: str) -> str:
    """The title a notice or comment is about ("Erratum to: X" → "X"); "" when it names none."""
    title = (title or "").strip()
    rest = _SUBJECT_PREFIX.sub("", title, count=1).strip()
    if rest == title:
        return ""
    head, colon, tail = rest.partition(": ")
    if colon and (head.casefold().startswith("by ") or " et al" in head.casefold()):
        rest = tail  # "Reply to the letter by Smith et al.: <title>"
    return rest.strip().strip(_QUOTES).strip()


def is_generic_title(normalised_title: str) -> bool:
    """True for titles such as "Editorial", "Reply", "Erratum", "Letter to the editor"."""
    words = normalised_title.split()
    if not words:
        return True
    if len(words) > 3 and any(w not in GENERIC_WORDS and not w.isdigit() for w in words):
        return False  # the usual case, decided at the first content word
    content = [w for w in words if w not in GENERIC_WORDS and not w.isdigit()]
    return len(content) == 0 or (len(words) <= 3 and len(content) <= 1 and len(content[0]) <= 3)
